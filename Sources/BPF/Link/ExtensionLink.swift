internal import CLibbpf
import Diagnostics
import LinuxSys
import SystemPackage

/// freplace links: an extension program (`BPF_PROG_TYPE_EXT`) running in
/// place of one function of another loaded program.
package enum ExtensionLink {
    /// Attaches `program` in place of `function` in `target`.
    ///
    /// The extension may have been verified against another program (the
    /// placeholder it was loaded for) and may already run elsewhere (an
    /// older dispatcher revision, another slot): giving the target
    /// re-targets it, and the kernel checks the function prototypes match.
    /// - Throws: `.notFound` when `target` has no such function in its BTF.
    package static func attach(program: borrowing OwnedDescriptor, target: borrowing OwnedDescriptor, function: String) throws(BPFError) -> OwnedDescriptor {
        let btfID: UInt32?
        do {
            btfID = try functionBTFID(program: target, name: function)
        } catch {
            throw BPFError.syscall("find \(function) in the target's BTF", call: "BPF_BTF_GET_FD_BY_ID", errno: error)
        }
        guard let btfID else {
            throw BPFError(code: .notFound, message: "attach extension: the target program has no function \(function) in its BTF")
        }
        do {
            return try freplace(program: program, target: target, btfID: btfID)
        } catch {
            throw BPFError.syscall("attach extension to \(function)", call: "BPF_LINK_CREATE", errno: error)
        }
    }

    /// Attaches the extension `program` in place of the function with BTF id
    /// `btfID` of the loaded program `target`.
    ///
    /// Corresponds to `bpf_link_create(prog, target, 0)` with
    /// `target_btf_id`, as libbpf's `bpf_program__attach_freplace` calls it:
    /// the kernel ignores the attach type of extensions. Giving the target
    /// explicitly also re-attaches an extension already attached elsewhere.
    private static func freplace(program: borrowing OwnedDescriptor, target: borrowing OwnedDescriptor, btfID: UInt32) throws(Errno) -> OwnedDescriptor {
        var options = Libbpf.options(through: \bpf_link_create_opts.target_btf_id)
        options.target_btf_id = btfID
        return OwnedDescriptor(try negativeErrno { bpf_link_create(program.rawValue, target.rawValue, bpf_attach_type(rawValue: 0), &options) })
    }

    /// The BTF id of the function `name` in the loaded program `program`'s
    /// BTF, or nil when it has none.
    private static func functionBTFID(program: borrowing OwnedDescriptor, name: String) throws(Errno) -> UInt32? {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        _ = try negativeErrno { bpf_obj_get_info_by_fd(program.rawValue, &info, &length) }
        guard info.btf_id != 0 else { return nil }
        guard let btf = btf__load_from_kernel_by_id(info.btf_id) else { throw Errno.lastError }
        defer { btf__free(btf) }
        let functionKind: UInt32 = 12 // BTF_KIND_FUNC
        let id = btf__find_by_name_kind(btf, name, functionKind)
        return id > 0 ? UInt32(id) : nil
    }
}
