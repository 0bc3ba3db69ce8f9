import Diagnostics
import LinuxSys
import SystemPackage

/// uprobe and uretprobe links: a perf event on a file offset, created through
/// the `uprobe` PMU, with the program attached by a perf-event BPF link.
package enum UprobeLink {
    /// Attaches `program` to `path` at file `offset`.
    ///
    /// The perf event is opened with `path` as the calling process sees it,
    /// so a caller in another mount namespace probes that namespace's file.
    /// `pmu` must have been read from the host's sysfs.
    /// - Parameter pid: a host pid to filter on, or nil for every process.
    /// - Returns: the new link; dropping it detaches unless it was pinned.
    /// - Throws: `.notFound` for a missing file or process, `.invalidArgument`
    ///   for an offset the kernel refuses.
    package static func attach(program: borrowing OwnedDescriptor, pmu: UprobePMU, path: String, offset: UInt64,
                               retprobe: Bool, pid: Int32?) throws(BPFError) -> OwnedDescriptor {
        let event: OwnedDescriptor
        do {
            event = try PerfEvent.openUprobe(pmu: pmu, path: path, offset: offset, retprobe: retprobe, pid: pid)
        } catch {
            let what = retprobe ? "uretprobe" : "uprobe"
            var message = "create \(what) on \(path)+0x\(String(offset, radix: 16)): \(error.lowercasedDescription)"
            if error == .noSuchProcess, let pid { message += " (pid \(pid) does not exist)" }
            throw BPFError(code: ErrorCode(errno: error), message: message,
                           underlying: SyscallError(call: "perf_event_open", errno: error))
        }
        return try PerfEventLink.attach(program: program, event: event)
    }
}
