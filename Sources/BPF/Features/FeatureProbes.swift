internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// The probes behind ``KernelFeatures``: cheap questions to the kernel whose
/// answers are conclusive.
enum FeatureProbes {
    static func probe(_ feature: KernelFeature) throws(BPFError) -> FeatureAvailability {
        Libbpf.silenceLogging()
        switch feature {
        case .kprobe:
            return pmuAvailability("kprobe")
        case .uprobe:
            return pmuAvailability("uprobe")
        case .fentry:
            return try trampolineProgram(type: BPF_PROG_TYPE_TRACING, attachType: BPF_TRACE_FENTRY, function: "bpf_fentry_test1")
        case .lsm:
            return try trampolineProgram(type: BPF_PROG_TYPE_LSM, attachType: BPF_LSM_MAC, function: "bpf_lsm_file_open")
        case .freplace:
            return try extensionProgram()
        case .tcxLink:
            return try tcxLink()
        }
    }

    private static func pmuAvailability(_ name: String) -> FeatureAvailability {
        let path = "/sys/bus/event_source/devices/\(name)/type"
        return FileSystem.exists(path) ? .available : .missing("no \(name) PMU (\(path) does not exist)")
    }

    /// `return 0` in BPF instructions: mov r0, 0; exit.
    private static let returnZero: [bpf_insn] = {
        var mov = bpf_insn()
        mov.code = 0xb7 // BPF_ALU64 | BPF_MOV | BPF_K
        var exit = bpf_insn()
        exit.code = 0x95 // BPF_JMP | BPF_EXIT
        return [mov, exit]
    }()

    private static func load(type: bpf_prog_type, options: inout bpf_prog_load_opts) -> (CInt, Errno) {
        let fd = returnZero.withUnsafeBufferPointer { buffer in
            bpf_prog_load(type, "bpfman_probe", "GPL", buffer.baseAddress, buffer.count, &options)
        }
        return (fd, fd < 0 ? Errno(rawValue: -fd) : Errno(rawValue: 0))
    }

    private static func trampolineProgram(type: bpf_prog_type, attachType: bpf_attach_type, function: String) throws(BPFError) -> FeatureAvailability {
        guard let vmlinux = btf__load_vmlinux_btf() else {
            return .missing("kernel BTF (/sys/kernel/btf/vmlinux) is unavailable")
        }
        defer { btf__free(vmlinux) }
        let btfID = btf__find_by_name_kind(vmlinux, function, 12) // BTF_KIND_FUNC
        guard btfID > 0 else { return .missing("kernel BTF has no \(function)") }
        var options = bpf_prog_load_opts()
        options.sz = MemoryLayout<bpf_prog_load_opts>.size
        options.expected_attach_type = attachType
        options.attach_btf_id = UInt32(btfID)
        let (fd, errno) = load(type: type, options: &options)
        if fd >= 0 { close(fd); return .available }
        if errno == .notPermitted || errno == .notSupported || errno == .invalidArgument {
            return .missing("the kernel refused a minimal program (\(errno.lowercasedDescription))")
        }
        throw BPFError(code: .internal, message: "probe kernel feature: \(errno.lowercasedDescription)")
    }

    private static func extensionProgram() throws(BPFError) -> FeatureAvailability {
        // An extension needs a target program; give it a plain one with BTF-less
        // code: the kernel answers EINVAL (bad target) if EXT exists at all and
        // EPERM when it refuses the type outright.
        var options = bpf_prog_load_opts()
        options.sz = MemoryLayout<bpf_prog_load_opts>.size
        let (fd, errno) = load(type: BPF_PROG_TYPE_EXT, options: &options)
        if fd >= 0 { close(fd); return .available }
        switch errno {
        case .invalidArgument: return .available
        case .notPermitted, .notSupported: return .missing("the kernel refused an extension program (\(errno.lowercasedDescription))")
        default: throw BPFError(code: .internal, message: "probe kernel feature: \(errno.lowercasedDescription)")
        }
    }

    private static func tcxLink() throws(BPFError) -> FeatureAvailability {
        var options = bpf_prog_load_opts()
        options.sz = MemoryLayout<bpf_prog_load_opts>.size
        let (fd, errno) = load(type: BPF_PROG_TYPE_SCHED_CLS, options: &options)
        guard fd >= 0 else { throw BPFError(code: .internal, message: "probe kernel feature: \(errno.lowercasedDescription)") }
        let program = OwnedDescriptor(fd)
        // ifindex 0 never exists: a kernel with tcx answers ENODEV (or
        // EINVAL for the target), one without it rejects the attach type.
        do {
            _ = try RawBPF.tcxLinkCreate(program: program, ifindex: InterfaceIndex(0), egress: false, flags: 0, relativeProgramID: 0)
            return .available
        } catch {
            return error == .operationNotSupportedByDevice || error == .badFileDescriptor ? .available : .missing("tcx attach type rejected (\(error.lowercasedDescription))")
        }
    }
}
