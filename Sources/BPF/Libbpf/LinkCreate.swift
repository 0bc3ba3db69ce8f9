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
