internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// TC attachments: a cls_bpf direct-action filter on the clsact qdisc.
///
/// Unlike the other kinds these are not BPF links: the filter is identified
/// by its handle and priority, and it stays until removed.
package enum TCFilter {
    /// A filter's identity on its qdisc.
    package struct Handle: Sendable, Equatable {
        /// The filter handle.
        package var handle: UInt32
        /// The filter priority.
        package var priority: UInt32

        /// Identifies a filter.
        package init(handle: UInt32, priority: UInt32) {
            self.handle = handle
            self.priority = priority
        }
    }

    /// Adds a filter running `program` on `ifindex` in `egress` or ingress,
    /// creating the clsact qdisc when needed.
    ///
    /// Corresponds to `bpf_tc_hook_create`, then `bpf_tc_attach`.
    package static func attach(program: borrowing OwnedDescriptor, ifindex: InterfaceIndex, egress: Bool, priority: UInt32) throws(BPFError) -> Handle {
        do throws(Errno) {
            var hook = Self.hook(ifindex: ifindex, egress: false)
            let created = bpf_tc_hook_create(&hook)
            if created < 0 && -created != EEXIST { throw Errno(rawValue: -created) }
            hook = Self.hook(ifindex: ifindex, egress: egress)
            var options = Libbpf.options(through: \bpf_tc_opts.priority)
            options.prog_fd = program.rawValue
            options.priority = priority
            _ = try negativeErrno { bpf_tc_attach(&hook, &options) }
            return Handle(handle: options.handle, priority: options.priority)
        } catch {
            throw BPFError.syscall("attach tc filter to ifindex \(ifindex)", call: "RTM_NEWTFILTER", errno: error)
        }
    }

    /// Removes the filter; a filter that is already gone is not an error.
    ///
    /// Corresponds to `bpf_tc_detach`.
    package static func detach(ifindex: InterfaceIndex, egress: Bool, handle: Handle) throws(BPFError) {
        do {
            var hook = Self.hook(ifindex: ifindex, egress: egress)
            var options = handle.options
            _ = try negativeErrno { bpf_tc_detach(&hook, &options) }
        } catch {
            if error == .noSuchFileOrDirectory || error == .operationNotSupportedByDevice || error == .invalidArgument { return }
            throw BPFError.syscall("detach tc filter from ifindex \(ifindex)", call: "RTM_DELTFILTER", errno: error)
        }
    }

    /// The program id the filter runs, or nil when the filter is gone.
    ///
    /// Corresponds to `bpf_tc_query`.
    package static func programID(ifindex: InterfaceIndex, egress: Bool, handle: Handle) -> UInt32? {
        var hook = Self.hook(ifindex: ifindex, egress: egress)
        var options = handle.options
        return bpf_tc_query(&hook, &options) == 0 ? options.prog_id : nil
    }

    /// Replaces the program of the filter `handle` with `program` in one
    /// netlink request, so packets never pass the hook without a program.
    ///
    /// Corresponds to `bpf_tc_attach` with `BPF_TC_F_REPLACE`.
    package static func replace(program: borrowing OwnedDescriptor, ifindex: InterfaceIndex, egress: Bool, handle: Handle) throws(BPFError) {
        do {
            var hook = Self.hook(ifindex: ifindex, egress: egress)
            var options = handle.options
            options.prog_fd = program.rawValue
            options.flags = UInt32(BPF_TC_F_REPLACE.rawValue)
            _ = try negativeErrno { bpf_tc_attach(&hook, &options) }
        } catch {
            throw BPFError.syscall("replace tc filter on ifindex \(ifindex)", call: "RTM_NEWTFILTER", errno: error)
        }
    }

    /// The clsact hook of `ifindex` in one direction.
    private static func hook(ifindex: InterfaceIndex, egress: Bool) -> bpf_tc_hook {
        Libbpf.silenceLogging()
        var hook = Libbpf.options(through: \bpf_tc_hook.parent)
        hook.ifindex = Int32(bitPattern: ifindex.rawValue)
        hook.attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS
        return hook
    }
}

extension TCFilter.Handle {
    /// libbpf's options naming this filter.
    fileprivate var options: bpf_tc_opts {
        var options = Libbpf.options(through: \bpf_tc_opts.priority)
        options.handle = handle
        options.priority = priority
        return options
    }
}
