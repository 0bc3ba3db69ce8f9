/// One dispatcher revision's configuration, written into the dispatcher's
/// `conf` before it is loaded.
///
/// The XDP layout is libxdp's version 2 `struct xdp_dispatcher_config`
/// (magic 236, version 2, programs enabled, frags flag, then ten chain-call
/// bitmasks, run priorities and program flags); the TC layout keeps the
/// count, bitmasks and priorities.
package struct DispatcherConfig: Sendable, Equatable {
    /// What runs in one slot.
    package struct Slot: Sendable, Equatable {
        /// Chain-call bitmask: the actions after which the next slot runs.
        package var chainCallActions: UInt32
        /// The member's bpfman priority.
        package var priority: UInt32

        /// Describes a slot.
        package init(chainCallActions: UInt32, priority: UInt32) {
            self.chainCallActions = chainCallActions
            self.priority = priority
        }
    }

    /// libxdp's dispatcher magic.
    package static let xdpMagic: UInt8 = 236
    /// libxdp's dispatcher configuration version.
    package static let xdpVersion: UInt8 = 2

    /// The kind of dispatcher.
    package var kind: DispatcherKind
    /// The enabled slots, in run order (at most ``DispatcherKind/slotCount``).
    package var slots: [Slot]

    /// Describes a revision.
    package init(kind: DispatcherKind, slots: [Slot]) {
        self.kind = kind
        self.slots = slots
    }

    /// The bytes of `conf`, in the host's byte order.
    package var bytes: [UInt8] {
        let count = DispatcherKind.slotCount
        func words(_ value: (Slot) -> UInt32) -> [UInt8] {
            (0..<count).flatMap { index in
                withUnsafeBytes(of: index < slots.count ? value(slots[index]) : 0) { Array($0) }
            }
        }
        let enabled = UInt8(min(slots.count, count))
        switch kind {
        case .xdp:
            return [Self.xdpMagic, Self.xdpVersion, enabled, 0] + words(\.chainCallActions) + words(\.priority) + words { _ in 0 }
        case .tc:
            return [enabled, 0, 0, 0] + words(\.chainCallActions) + words(\.priority)
        }
    }
}
