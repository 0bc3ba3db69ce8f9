import Diagnostics
import LinuxSys
import SystemPackage

/// kprobe and kretprobe links: a perf event through the `kprobe` PMU.
package enum KprobeLink {
    /// Attaches `program` to kernel `function` plus `offset`.
    ///
    /// Requires kernel feature ``KernelFeature/kprobe``.
    /// - Throws: `.unsupported` when the kernel has no kprobes, `.notFound`
    ///   for an unknown function.
    package static func attach(program: borrowing OwnedDescriptor, function: String, offset: UInt64, retprobe: Bool) throws(BPFError) -> OwnedDescriptor {
        try KernelFeatures.shared.require(.kprobe)
        let event: OwnedDescriptor
        do {
            let pmu = try UprobePMU.readKprobe()
            event = try PerfEvent.openKprobe(pmu: pmu, function: function, offset: offset, retprobe: retprobe)
        } catch {
            throw BPFError.syscall("create \(retprobe ? "kretprobe" : "kprobe") on \(function)+\(offset)", call: "perf_event_open", errno: error)
        }
        return try PerfEventLink.attach(program: program, event: event)
    }
}
