internal import CLibbpf
import Diagnostics
import LinuxSys
import SystemPackage

/// The perf-event BPF link shared by uprobes, kprobes and tracepoints.
package enum PerfEventLink {
    /// Attaches `program` to the perf `event`; the link keeps the event open.
    ///
    /// Corresponds to `bpf_link_create(prog, perf_fd, BPF_PERF_EVENT)`.
    package static func attach(program: borrowing OwnedDescriptor, event: borrowing OwnedDescriptor) throws(BPFError) -> OwnedDescriptor {
        do {
            return OwnedDescriptor(try negativeErrno { bpf_link_create(program.rawValue, event.rawValue, BPF_PERF_EVENT, nil) })
        } catch {
            if error == .fileExists {
                throw BPFError(code: .alreadyExists, message: "attach program to perf event: the program is already attached to this probe or tracepoint (the kernel allows one attachment per event): file exists",
                               underlying: SyscallError(call: "BPF_LINK_CREATE", errno: error))
            }
            throw BPFError.syscall("attach program to perf event", call: "BPF_LINK_CREATE", errno: error)
        }
    }
}
