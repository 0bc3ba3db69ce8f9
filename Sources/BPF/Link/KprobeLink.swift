import Diagnostics
import LinuxSys
import SystemPackage

/// kprobe and kretprobe links: a perf event through the `kprobe` PMU.
package enum KprobeLink {
    /// Attaches `program` to kernel `function` plus `offset`.
    ///
    /// Requires kernel feature ``KernelFeature/kprobe``.
    /// - Throws: `.unsupported` when the kernel has no kprobes, `.notFound`
    ///   for an unknown function, `.invalidArgument` for an offset inside an
    ///   instruction or on a kretprobe.
    package static func attach(program: borrowing OwnedDescriptor, function: String, offset: UInt64, retprobe: Bool) throws(BPFError) -> OwnedDescriptor {
        try KernelFeatures.shared.require(.kprobe)
        let operation = "create \(retprobe ? "kretprobe" : "kprobe") on \(function)+\(offset)"
        if retprobe && offset != 0 {
            throw BPFError(code: .invalidArgument, message: "\(operation): a kretprobe fires on return from the function and takes no offset")
        }
        let event: OwnedDescriptor
        do {
            let pmu = try UprobePMU.readKprobe()
            event = try PerfEvent.openKprobe(pmu: pmu, function: function, offset: offset, retprobe: retprobe)
        } catch .illegalByteSequence {
            throw BPFError(code: .invalidArgument, message: "\(operation): offset \(offset) is not at an instruction boundary of \(function)",
                           underlying: SyscallError(call: "perf_event_open", errno: .illegalByteSequence))
        } catch {
            throw BPFError.syscall(operation, call: "perf_event_open", errno: error)
        }
        return try PerfEventLink.attach(program: program, event: event)
    }
}
