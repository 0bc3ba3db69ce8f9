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

    /// The `sz` for a libbpf options struct: the end of its last field.
    ///
    /// libbpf rejects non-zero bytes between the fields it knows and `sz`;
    /// tail padding of a Swift-built value is not guaranteed to be zero, so
    /// `sz` must stop at the last field rather than at the struct's size.
    static func optionsSize<Options>(_ lastField: KeyPath<Options, UInt32>) -> Int {
        (MemoryLayout<Options>.offset(of: lastField) ?? MemoryLayout<Options>.size - 4) + 4
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
