internal import CLibbpf
import Diagnostics
import LinuxSys
import SystemPackage

/// fentry, fexit and LSM links on the function or hook named at load time.
package enum TracingLink {
    /// Attaches `program` through a BPF trampoline.
    ///
    /// Corresponds to `bpf_raw_tracepoint_open(NULL, prog)`, which creates a
    /// tracing link to the target given at load.
    /// Requires kernel feature ``KernelFeature/fentry`` (or ``KernelFeature/lsm``).
    package static func attach(program: borrowing OwnedDescriptor) throws(BPFError) -> OwnedDescriptor {
        do {
            return OwnedDescriptor(try negativeErrno { bpf_raw_tracepoint_open(nil, program.rawValue) })
        } catch {
            throw BPFError.syscall("attach tracing program", call: "BPF_RAW_TRACEPOINT_OPEN", errno: error)
        }
    }
}
