import Diagnostics
import LinuxSys
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
    package static func attach(program: borrowing OwnedDescriptor, ifindex: Int32, egress: Bool, priority: UInt32) throws(BPFError) -> Handle {
        do {
            try LinkCreate.tcHookCreate(ifindex: ifindex)
            let result = try LinkCreate.tcAttach(program: program, ifindex: ifindex, egress: egress, priority: priority)
            return Handle(handle: result.handle, priority: result.priority)
        } catch {
            throw BPFError.syscall("attach tc filter to ifindex \(ifindex)", call: "RTM_NEWTFILTER", errno: error)
        }
    }

    /// Removes the filter; a filter that is already gone is not an error.
    package static func detach(ifindex: Int32, egress: Bool, handle: Handle) throws(BPFError) {
        do {
            try LinkCreate.tcDetach(ifindex: ifindex, egress: egress, handle: handle.handle, priority: handle.priority)
        } catch {
            if error == .noSuchFileOrDirectory || error == .operationNotSupportedByDevice || error == .invalidArgument { return }
            throw BPFError.syscall("detach tc filter from ifindex \(ifindex)", call: "RTM_DELTFILTER", errno: error)
        }
    }

    /// The program id the filter runs, or nil when the filter is gone.
    package static func programID(ifindex: Int32, egress: Bool, handle: Handle) -> UInt32? {
        LinkCreate.tcQuery(ifindex: ifindex, egress: egress, handle: handle.handle, priority: handle.priority)
    }

    /// Replaces the program of the filter `handle` with `program` in one
    /// netlink request, so packets never pass the hook without a program.
    package static func replace(program: borrowing OwnedDescriptor, ifindex: Int32, egress: Bool, handle: Handle) throws(BPFError) {
        do {
            try LinkCreate.tcReplace(program: program, ifindex: ifindex, egress: egress, handle: handle.handle, priority: handle.priority)
        } catch {
            throw BPFError.syscall("replace tc filter on ifindex \(ifindex)", call: "RTM_NEWTFILTER", errno: error)
        }
    }
}
