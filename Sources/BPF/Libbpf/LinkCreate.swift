internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import SystemPackage

/// `BPF_LINK_CREATE` and the TC netlink calls, through libbpf.
enum LinkCreate {
    /// Attaches a program to a perf event (uprobe, kprobe, tracepoint).
    ///
    /// Corresponds to `bpf_link_create(prog, perf_fd, BPF_PERF_EVENT)`.
    static func perfEvent(program: borrowing OwnedDescriptor, event: borrowing OwnedDescriptor) throws(Errno) -> OwnedDescriptor {
        OwnedDescriptor(try negativeErrno { bpf_link_create(program.rawValue, event.rawValue, BPF_PERF_EVENT, nil) })
    }

    /// Attaches an XDP program to `ifindex` with XDP mode `flags`.
    ///
    /// Corresponds to `bpf_link_create(prog, ifindex, BPF_XDP)`.
    static func xdp(program: borrowing OwnedDescriptor, ifindex: Int32, flags: UInt32) throws(Errno) -> OwnedDescriptor {
        var options = bpf_link_create_opts()
        options.sz = MemoryLayout<bpf_link_create_opts>.size
        options.flags = flags
        return OwnedDescriptor(try negativeErrno { bpf_link_create(program.rawValue, ifindex, BPF_XDP, &options) })
    }

    /// Creates the clsact qdisc on `ifindex` unless present.
    ///
    /// Corresponds to `bpf_tc_hook_create`.
    static func tcHookCreate(ifindex: Int32) throws(Errno) {
        var hook = tcHook(ifindex: ifindex, direction: .ingress)
        let result = bpf_tc_hook_create(&hook)
        if result < 0 && -result != EEXIST { throw Errno(rawValue: -result) }
    }

    /// Attaches a cls_bpf direct-action filter with `priority` (1...65535).
    ///
    /// Corresponds to `bpf_tc_attach`.
    /// - Returns: the filter's handle and priority.
    static func tcAttach(program: borrowing OwnedDescriptor, ifindex: Int32, egress: Bool, priority: UInt32) throws(Errno) -> (handle: UInt32, priority: UInt32) {
        var hook = tcHook(ifindex: ifindex, direction: egress ? .egress : .ingress)
        var options = bpf_tc_opts()
        options.sz = Libbpf.optionsSize(\bpf_tc_opts.priority)
        options.prog_fd = program.rawValue
        options.priority = priority
        _ = try negativeErrno { bpf_tc_attach(&hook, &options) }
        return (options.handle, options.priority)
    }

    /// Removes the cls_bpf filter with `handle` and `priority`.
    ///
    /// Corresponds to `bpf_tc_detach`.
    static func tcDetach(ifindex: Int32, egress: Bool, handle: UInt32, priority: UInt32) throws(Errno) {
        var hook = tcHook(ifindex: ifindex, direction: egress ? .egress : .ingress)
        var options = bpf_tc_opts()
        options.sz = Libbpf.optionsSize(\bpf_tc_opts.priority)
        options.handle = handle
        options.priority = priority
        _ = try negativeErrno { bpf_tc_detach(&hook, &options) }
    }

    /// The program id of the cls_bpf filter with `handle` and `priority`, if any.
    ///
    /// Corresponds to `bpf_tc_query`.
    static func tcQuery(ifindex: Int32, egress: Bool, handle: UInt32, priority: UInt32) -> UInt32? {
        var hook = tcHook(ifindex: ifindex, direction: egress ? .egress : .ingress)
        var options = bpf_tc_opts()
        options.sz = Libbpf.optionsSize(\bpf_tc_opts.priority)
        options.handle = handle
        options.priority = priority
        return bpf_tc_query(&hook, &options) == 0 ? options.prog_id : nil
    }

    private enum Direction { case ingress, egress }

    private static func tcHook(ifindex: Int32, direction: Direction) -> bpf_tc_hook {
        Libbpf.silenceLogging()
        var hook = bpf_tc_hook()
        hook.sz = Libbpf.optionsSize(\bpf_tc_hook.parent)
        hook.ifindex = ifindex
        hook.attach_point = direction == .egress ? BPF_TC_EGRESS : BPF_TC_INGRESS
        return hook
    }
}

extension LinkCreate {
    /// Attaches an fentry, fexit or LSM program to the target given at load.
    ///
    /// Corresponds to `bpf_raw_tracepoint_open(NULL, prog)`, which creates a
    /// tracing link.
    static func tracing(program: borrowing OwnedDescriptor) throws(Errno) -> OwnedDescriptor {
        OwnedDescriptor(try negativeErrno { bpf_raw_tracepoint_open(nil, program.rawValue) })
    }
}

extension LinkCreate {
    /// Attaches the extension `program` in place of the function with BTF id
    /// `btfID` of the loaded program `target`.
    ///
    /// Corresponds to `bpf_link_create(prog, target, 0)` with
    /// `target_btf_id`, as libbpf's `bpf_program__attach_freplace` calls it:
    /// the kernel ignores the attach type of extensions. Giving the target
    /// explicitly also re-attaches an extension already attached elsewhere.
    static func freplace(program: borrowing OwnedDescriptor, target: borrowing OwnedDescriptor, btfID: UInt32) throws(Errno) -> OwnedDescriptor {
        var options = bpf_link_create_opts()
        options.sz = Libbpf.optionsSize(\bpf_link_create_opts.target_btf_id)
        options.target_btf_id = btfID
        return OwnedDescriptor(try negativeErrno { bpf_link_create(program.rawValue, target.rawValue, bpf_attach_type(rawValue: 0), &options) })
    }

    /// The BTF id of the function `name` in the loaded program `program`'s
    /// BTF, or nil when it has none.
    static func functionBTFID(program: borrowing OwnedDescriptor, name: String) throws(Errno) -> UInt32? {
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

    /// Points the link `link` at `program`, atomically.
    ///
    /// Corresponds to `bpf_link_update` (`BPF_LINK_UPDATE`).
    static func update(link: borrowing OwnedDescriptor, program: borrowing OwnedDescriptor) throws(Errno) {
        _ = try negativeErrno { bpf_link_update(link.rawValue, program.rawValue, nil) }
    }

    /// The id of the XDP program attached to `ifindex` in any mode, or nil.
    ///
    /// Corresponds to `bpf_xdp_query`.
    static func xdpQuery(ifindex: Int32) -> UInt32? {
        var options = bpf_xdp_query_opts()
        options.sz = (MemoryLayout<bpf_xdp_query_opts>.offset(of: \bpf_xdp_query_opts.attach_mode) ?? 0) + 1
        guard bpf_xdp_query(ifindex, 0, &options) == 0, options.prog_id != 0 else { return nil }
        return options.prog_id
    }

    /// Replaces the program of the cls_bpf filter with `handle` and
    /// `priority` in one netlink request, so the hook is never empty.
    ///
    /// Corresponds to `bpf_tc_attach` with `BPF_TC_F_REPLACE`.
    static func tcReplace(program: borrowing OwnedDescriptor, ifindex: Int32, egress: Bool, handle: UInt32, priority: UInt32) throws(Errno) {
        var hook = tcHook(ifindex: ifindex, direction: egress ? .egress : .ingress)
        var options = bpf_tc_opts()
        options.sz = Libbpf.optionsSize(\bpf_tc_opts.priority)
        options.prog_fd = program.rawValue
        options.handle = handle
        options.priority = priority
        options.flags = UInt32(BPF_TC_F_REPLACE.rawValue)
        _ = try negativeErrno { bpf_tc_attach(&hook, &options) }
    }
}
