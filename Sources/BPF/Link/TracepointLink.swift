import Diagnostics
import LinuxSys
import SystemPackage

/// Tracepoint links: a perf event on a tracefs event id.
package enum TracepointLink {
    /// Where tracefs is mounted on current kernels.
    package static let tracefsRoot = "/sys/kernel/tracing"

    /// Attaches `program` to tracepoint `group/name`, mounting tracefs first
    /// when it is missing.
    ///
    /// - Throws: `.notFound` for an unknown tracepoint.
    package static func attach(program: borrowing OwnedDescriptor, group: String, name: String) throws(BPFError) -> OwnedDescriptor {
        do {
            try Mounts.ensureMounted(.tracefs, at: tracefsRoot, mode: "0755")
        } catch {
            throw BPFError.syscall("mount tracefs at \(tracefsRoot)", call: "mount", errno: error)
        }
        let idPath = "\(tracefsRoot)/events/\(group)/\(name)/id"
        guard let text = try? FileSystem.readText(idPath), let id = UInt64(text.trimmingWhitespace()) else {
            throw BPFError(code: .notFound, message: "tracepoint \"\(group)/\(name)\" not found")
        }
        let event: OwnedDescriptor
        do {
            event = try PerfEvent.openTracepoint(id: id)
        } catch {
            throw BPFError.syscall("open tracepoint \(group)/\(name)", call: "perf_event_open", errno: error)
        }
        return try PerfEventLink.attach(program: program, event: event)
    }
}
