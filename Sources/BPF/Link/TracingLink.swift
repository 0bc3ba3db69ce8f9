import Diagnostics
import LinuxSys
import SystemPackage

/// fentry, fexit and LSM links on the function or hook named at load time.
package enum TracingLink {
    /// Attaches `program` through a BPF trampoline.
    ///
    /// Requires kernel feature ``KernelFeature/fentry`` (or ``KernelFeature/lsm``).
    package static func attach(program: borrowing OwnedDescriptor) throws(BPFError) -> OwnedDescriptor {
        do {
            return try LinkCreate.tracing(program: program)
        } catch {
            throw BPFError.syscall("attach tracing program", call: "BPF_RAW_TRACEPOINT_OPEN", errno: error)
        }
    }
}
