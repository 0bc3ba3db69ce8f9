/// The action codes after which a dispatcher runs the interface's next
/// program (`--proceed-on`, `proceed_on`), in the order the user gave them.
///
/// XDP codes are the `XDP_*` actions (`aborted` 0 … `redirect` 4) and
/// `dispatcher_return` 31; TC codes are the `TC_ACT_*` actions (`unspec` -1
/// … `trap` 8) and `dispatcher_return` 30. Codable as a plain array of
/// integers, as stored link details hold it.
package struct ProceedOn: Hashable, Sendable, Codable {
    /// The action codes, in the user's order.
    package var actions: [Int32]

    /// Wraps action codes.
    package init(_ actions: [Int32]) { self.actions = actions }

    /// XDP's default: `pass` (2), then `dispatcher_return` (31).
    package static let xdpDefault = ProceedOn([2, 31])
    /// TC's default: `pipe` (3), then `dispatcher_return` (30).
    package static let tcDefault = ProceedOn([3, 30])

    /// The chain-call bitmask a dispatcher on hook `type` holds for these
    /// actions: bit N for XDP action N, bit N + 1 for TC action N (the
    /// lowest TC action, `TC_ACT_UNSPEC`, is -1). Codes outside the 32 bits
    /// set no bit.
    package func bitmask(for type: DispatcherType) -> UInt32 {
        let lowestAction: Int64 = type == .xdp ? 0 : -1
        return actions.reduce(UInt32(0)) { mask, action in
            let bit = Int64(action) - lowestAction
            return (0..<32).contains(bit) ? mask | (1 << UInt32(bit)) : mask
        }
    }

    /// Decodes a plain array of action codes.
    package init(from decoder: any Decoder) throws {
        actions = try decoder.singleValueContainer().decode([Int32].self)
    }

    /// Encodes a plain array of action codes.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(actions)
    }
}
