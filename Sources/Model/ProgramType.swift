/// bpfman's program types, which are also its link kinds.
///
/// Several share one kernel type: uprobe, uretprobe, kprobe and kretprobe are
/// `BPF_PROG_TYPE_KPROBE`; tc and tcx are `BPF_PROG_TYPE_SCHED_CLS`.
package enum ProgramType: String, CaseIterable, Sendable, Codable {
    /// `BPF_PROG_TYPE_XDP`, attached to a network interface.
    case xdp
    /// `BPF_PROG_TYPE_SCHED_CLS` attached through a clsact qdisc.
    case tc
    /// `BPF_PROG_TYPE_SCHED_CLS` attached through a tcx link.
    case tcx
    /// `BPF_PROG_TYPE_TRACEPOINT`.
    case tracepoint
    /// `BPF_PROG_TYPE_KPROBE` on a kernel function entry.
    case kprobe
    /// `BPF_PROG_TYPE_KPROBE` on a kernel function return.
    case kretprobe
    /// `BPF_PROG_TYPE_KPROBE` on a user-space function entry.
    case uprobe
    /// `BPF_PROG_TYPE_KPROBE` on a user-space function return.
    case uretprobe
    /// `BPF_PROG_TYPE_TRACING` with `BPF_TRACE_FENTRY`.
    case fentry
    /// `BPF_PROG_TYPE_TRACING` with `BPF_TRACE_FEXIT`.
    case fexit
    /// `BPF_PROG_TYPE_LSM`.
    case lsm

    /// The names in the order the CLI lists them.
    package static let validNames = allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether the load needs an attach function (fentry, fexit, lsm).
    package var requiresAttachFunction: Bool { self == .fentry || self == .fexit || self == .lsm }

    /// The attach verb (`link attach <verb>`) that accepts this type.
    package var attachVerb: AttachVerb {
        switch self {
        case .uprobe, .uretprobe: .uprobe
        case .kprobe, .kretprobe: .kprobe
        case .xdp: .xdp
        case .tc: .tc
        case .tcx: .tcx
        case .tracepoint: .tracepoint
        case .fentry: .fentry
        case .fexit: .fexit
        case .lsm: .lsm
        }
    }
}

/// The `link attach` verbs.
package enum AttachVerb: String, CaseIterable, Sendable {
    /// `link attach xdp`.
    case xdp
    /// `link attach tc`.
    case tc
    /// `link attach tcx`.
    case tcx
    /// `link attach tracepoint`.
    case tracepoint
    /// `link attach kprobe`, for kprobe and kretprobe programs.
    case kprobe
    /// `link attach uprobe`, for uprobe and uretprobe programs.
    case uprobe
    /// `link attach fentry`.
    case fentry
    /// `link attach fexit`.
    case fexit
    /// `link attach lsm`.
    case lsm

    /// How error messages name the accepted program types.
    package var acceptedTypes: String {
        switch self {
        case .uprobe: "uprobe or uretprobe"
        case .kprobe: "kprobe or kretprobe"
        default: rawValue
        }
    }
}

/// Traffic direction of a TC or TCX attachment.
package enum TCDirection: String, Sendable, Codable, CaseIterable {
    /// Packets arriving on the interface.
    case ingress
    /// Packets leaving the interface.
    case egress
}
