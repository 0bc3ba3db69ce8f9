/// A kernel program type (`BPF_PROG_TYPE_*`): what the verifier checks a
/// program as, and what it may attach to.
package struct KernelProgramType: RawRepresentable, Hashable, Sendable {
    /// The kernel's number.
    package let rawValue: UInt32
    /// Wraps the kernel's number.
    package init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BPF_PROG_TYPE_KPROBE`: kprobes and uprobes, entry and return.
    package static let kprobe = KernelProgramType(rawValue: 2)
    /// `BPF_PROG_TYPE_SCHED_CLS`: tc and tcx classifiers.
    package static let schedCLS = KernelProgramType(rawValue: 3)
    /// `BPF_PROG_TYPE_TRACEPOINT`.
    package static let tracepoint = KernelProgramType(rawValue: 5)
    /// `BPF_PROG_TYPE_XDP`.
    package static let xdp = KernelProgramType(rawValue: 6)
    /// `BPF_PROG_TYPE_TRACING`: fentry and fexit.
    package static let tracing = KernelProgramType(rawValue: 26)
    /// `BPF_PROG_TYPE_EXT`: freplace extensions.
    package static let ext = KernelProgramType(rawValue: 28)
    /// `BPF_PROG_TYPE_LSM`.
    package static let lsm = KernelProgramType(rawValue: 29)

    /// The type's name as bpfman prints `kernel.program_type` (`kprobe`,
    /// `schedcls`, ...).
    package var name: String { KernelNames.programType(rawValue) }
}

extension ProgramType {
    /// The kernel program type this bpfman type loads as: `kprobe` for the
    /// probes, `schedcls` for tc and tcx, `tracing` for fentry and fexit.
    package var kernelType: KernelProgramType {
        switch self {
        case .uprobe, .uretprobe, .kprobe, .kretprobe: .kprobe
        case .tc, .tcx: .schedCLS
        case .xdp: .xdp
        case .tracepoint: .tracepoint
        case .fentry, .fexit: .tracing
        case .lsm: .lsm
        }
    }
}
