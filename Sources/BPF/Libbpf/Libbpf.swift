internal import CLibbpf
import Diagnostics
import Glibc
import Model
import SystemPackage

/// Process-wide libbpf settings and conversions.
enum Libbpf {
    /// Turns libbpf's own stderr printing off: bpfman reports errors itself.
    static func silenceLogging() {
        _ = libbpf_set_print(nil)
    }

    /// libbpf's text for an errno, including its private error codes (4000+).
    static func describe(_ errno: Errno) -> String {
        if errno.rawValue < 4000 { return errno.lowercasedDescription }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = libbpf_strerror(-errno.rawValue, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
    }

    /// The kernel program type bpfman loads `type` as.
    static func kernelProgramType(for type: ProgramType) -> bpf_prog_type {
        switch type {
        case .xdp: BPF_PROG_TYPE_XDP
        case .tc, .tcx: BPF_PROG_TYPE_SCHED_CLS
        case .tracepoint: BPF_PROG_TYPE_TRACEPOINT
        case .kprobe, .kretprobe, .uprobe, .uretprobe: BPF_PROG_TYPE_KPROBE
        case .fentry, .fexit: BPF_PROG_TYPE_TRACING
        case .lsm: BPF_PROG_TYPE_LSM
        }
    }
}
