import Model

/// Where to attach, per `link attach` verb.
package enum AttachTarget: Sendable, Equatable {
    /// `link attach uprobe <prog> <target> [--fn-name] [--offset] [--pid] [--container-pid]`.
    case uprobe(target: String, functionName: String?, offset: UInt64, pid: Int32?, containerPID: HostPID?)
    /// `link attach tracepoint <prog> <group/name>`.
    case tracepoint(group: String, name: String)
    /// `link attach kprobe <prog> <fn> [--offset]`.
    case kprobe(functionName: String, offset: UInt64)
    /// `link attach xdp <prog> <iface> --priority [--proceed-on] [--netns]`.
    case xdp(interface: String, priority: Int32, proceedOn: ProceedOn, netns: String?)
    /// `link attach tc <prog> <iface> <direction> --priority [--proceed-on] [--netns]`.
    case tc(interface: String, direction: TCDirection, priority: Int32, proceedOn: ProceedOn, netns: String?)
    /// `link attach tcx <prog> <iface> <direction> --priority [--netns]`.
    case tcx(interface: String, direction: TCDirection, priority: Int32, netns: String?)
    /// `link attach fentry <prog>`.
    case fentry
    /// `link attach fexit <prog>`.
    case fexit
    /// `link attach lsm <prog>`.
    case lsm

    /// The verb this target belongs to.
    package var verb: AttachVerb {
        switch self {
        case .uprobe: .uprobe
        case .tracepoint: .tracepoint
        case .kprobe: .kprobe
        case .xdp: .xdp
        case .tc: .tc
        case .tcx: .tcx
        case .fentry: .fentry
        case .fexit: .fexit
        case .lsm: .lsm
        }
    }
}

/// A request to attach a loaded program.
package struct AttachRequest: Sendable {
    /// The program to attach.
    package var programID: ProgramID
    /// Where.
    package var target: AttachTarget
    /// Link metadata; nil when none was given.
    package var metadata: [String: String]?

    /// Creates an attach request.
    package init(programID: ProgramID, target: AttachTarget, metadata: [String: String]? = nil) {
        self.programID = programID
        self.target = target
        self.metadata = metadata
    }
}
