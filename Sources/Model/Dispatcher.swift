/// The hook a dispatcher serves (cli.md §4.5 `key.type`).
package enum DispatcherType: String, Sendable, Codable, CaseIterable {
    /// XDP on an interface.
    case xdp
    /// TC ingress (clsact).
    case tcIngress = "tc-ingress"
    /// TC egress (clsact).
    case tcEgress = "tc-egress"

    /// The TC direction, nil for XDP.
    package var direction: TCDirection? {
        switch self {
        case .xdp: nil
        case .tcIngress: .ingress
        case .tcEgress: .egress
        }
    }

    /// How many member programs a dispatcher of any type holds.
    package static let slotCount = 10

    /// The type of a TC dispatcher for `direction`.
    package init(tc direction: TCDirection) {
        self = direction == .ingress ? .tcIngress : .tcEgress
    }
}

/// Identifies a dispatcher: one per hook, interface and network namespace.
package struct DispatcherKey: Sendable, Hashable, Codable {
    /// The hook.
    package var type: DispatcherType
    /// The network namespace inode.
    package var nsid: UInt64
    /// The interface index in that namespace.
    package var ifindex: InterfaceIndex

    /// Creates a key.
    package init(type: DispatcherType, nsid: UInt64, ifindex: InterfaceIndex) {
        self.type = type; self.nsid = nsid; self.ifindex = ifindex
    }
}

/// A dispatcher bpfman runs on an interface, at its current revision.
package struct DispatcherRecord: Sendable, Equatable {
    /// bpfman's id for the dispatcher, stable across revisions (`dispatcher_id`).
    package var id: UInt32
    /// The hook, namespace and interface.
    package var key: DispatcherKey
    /// The revision now attached; each change of members builds a new one.
    package var revision: UInt32
    /// The kernel id of this revision's dispatcher program.
    package var programID: ProgramID
    /// The kernel id of the XDP link (XDP only).
    package var kernelLinkID: UInt32?
    /// The cls_bpf filter priority (TC only).
    package var filterPriority: UInt32?
    /// The cls_bpf filter handle (TC only).
    package var filterHandle: UInt32?
    /// The interface name.
    package var interface: String
    /// The network namespace path given at attach, `""` for the host's.
    package var netns: String

    /// Creates a record.
    package init(id: UInt32, key: DispatcherKey, revision: UInt32, programID: ProgramID, kernelLinkID: UInt32?,
                 filterPriority: UInt32?, filterHandle: UInt32?, interface: String, netns: String) {
        self.id = id; self.key = key; self.revision = revision; self.programID = programID
        self.kernelLinkID = kernelLinkID; self.filterPriority = filterPriority; self.filterHandle = filterHandle
        self.interface = interface; self.netns = netns
    }
}

/// Which dispatcher revision an XDP or TC link runs in.
package struct DispatcherMembership: Sendable, Equatable, Codable {
    /// The dispatcher's ``DispatcherRecord/id``.
    package var dispatcherID: UInt32
    /// The revision the link's extension is attached to.
    package var revision: UInt32

    /// Creates a membership.
    package init(dispatcherID: UInt32, revision: UInt32) {
        self.dispatcherID = dispatcherID; self.revision = revision
    }
}

/// An XDP or TC link's place in its interface's program order.
package struct ChainSlot: Sendable, Equatable {
    /// bpfman priority (lower runs first).
    package var priority: Int32
    /// Position in run order.
    package var position: Int32
    /// The actions after which the next program runs.
    package var proceedOn: ProceedOn

    /// Describes a slot.
    package init(priority: Int32, position: Int32, proceedOn: ProceedOn) {
        self.priority = priority; self.position = position; self.proceedOn = proceedOn
    }
}

extension LinkDetails {
    /// The priority, position and proceed-on of an XDP or TC link; nil for
    /// other kinds.
    package var chainSlot: ChainSlot? {
        switch self {
        case .xdp(let details): ChainSlot(priority: details.priority, position: details.position, proceedOn: details.proceedOn)
        case .tc(let details): ChainSlot(priority: details.priority, position: details.position, proceedOn: details.proceedOn)
        default: nil
        }
    }
}
