import CLinuxShims
import Diagnostics
import Glibc
import SystemPackage

/// What `perf_event_open(2)` needs to create a uprobe through the `uprobe`
/// PMU. Read it from the host's sysfs before entering another mount
/// namespace: a container has no /sys.
package struct UprobePMU: Sendable, Equatable {
    /// The PMU type (`/sys/bus/event_source/devices/uprobe/type`).
    package var type: UInt32
    /// The config bit that makes a probe a return probe
    /// (`/sys/bus/event_source/devices/uprobe/format/retprobe`, "config:0").
    package var retprobeBit: UInt32

    /// Creates a PMU description from known values.
    package init(type: UInt32, retprobeBit: UInt32) {
        self.type = type
        self.retprobeBit = retprobeBit
    }

    /// Reads the PMU from sysfs.
    ///
    /// - Throws: the errno of reading sysfs (`ENOENT` when the kernel has no
    ///   uprobe PMU), or `EINVAL` for unparsable contents.
    package static func read(sysfs root: String = "/sys") throws(Errno) -> UprobePMU {
        try readPMU(named: "uprobe", sysfs: root)
    }

    /// Reads the `kprobe` PMU, which has the same layout.
    package static func readKprobe(sysfs root: String = "/sys") throws(Errno) -> UprobePMU {
        try readPMU(named: "kprobe", sysfs: root)
    }

    private static func readPMU(named name: String, sysfs root: String) throws(Errno) -> UprobePMU {
        let base = "\(root)/bus/event_source/devices/\(name)"
        let typeText = try FileSystem.readText(base + "/type")
        guard let type = UInt32(typeText.trimmingWhitespace()) else { throw .invalidArgument }
        let format = try FileSystem.readText(base + "/format/retprobe").trimmingWhitespace()
        guard format.hasPrefix("config:"), let bit = UInt32(format.dropFirst("config:".count)), bit < 64 else {
            throw .invalidArgument
        }
        return UprobePMU(type: type, retprobeBit: bit)
    }
}

/// Opens tracing perf events, the anchors of perf-event BPF links.
package enum PerfEvent {
    /// Opens a uprobe on `path` at file `offset`.
    ///
    /// `pid` nil probes every process; otherwise only that host process.
    /// Corresponds to `perf_event_open(2)` with the uprobe PMU.
    /// - Returns: the perf event descriptor.
    /// - Throws: the errno of `perf_event_open`.
    package static func openUprobe(pmu: UprobePMU, path: String, offset: UInt64, retprobe: Bool, pid: Int32?) throws(Errno) -> OwnedDescriptor {
        let config: UInt64 = retprobe ? (1 << UInt64(pmu.retprobeBit)) : 0
        let fd = try retryingOnInterrupt {
            path.withCString { cPath in
                cshim_perf_event_open(pmu.type, config, UInt64(UInt(bitPattern: cPath)), offset,
                                      pid ?? -1, pid == nil ? 0 : -1)
            }
        }
        return OwnedDescriptor(fd)
    }

    /// Opens a kprobe on `function` plus `offset` through the kprobe PMU.
    package static func openKprobe(pmu: UprobePMU, function: String, offset: UInt64, retprobe: Bool) throws(Errno) -> OwnedDescriptor {
        let config: UInt64 = retprobe ? (1 << UInt64(pmu.retprobeBit)) : 0
        let fd = try retryingOnInterrupt {
            function.withCString { name in
                cshim_perf_event_open(pmu.type, config, UInt64(UInt(bitPattern: name)), offset, -1, 0)
            }
        }
        return OwnedDescriptor(fd)
    }

    /// Opens the tracepoint whose tracefs id is `id`, for every process.
    package static func openTracepoint(id: UInt64) throws(Errno) -> OwnedDescriptor {
        let fd = try retryingOnInterrupt { cshim_perf_event_open(cshim_perf_type_tracepoint(), id, 0, 0, -1, 0) }
        return OwnedDescriptor(fd)
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs and newlines.
    package func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
