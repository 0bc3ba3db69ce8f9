import BPF
import Diagnostics
import LinuxSys
import Logs
import Model
import Store

/// What a metrics scrape reports: every BPF object in the kernel, managed
/// or not (without the fdinfo fields, `memlock` and `frozen`, which no
/// metric shows), bpfman's link records and the size of its database.
package struct MetricsInventory: Sendable {
    /// Every program loaded in the kernel, ascending by id.
    package var programs: [KernelProgram]
    /// Every map in the kernel, ascending by id.
    package var maps: [KernelMap]
    /// Every link in the kernel, ascending by id.
    package var links: [KernelLink]
    /// bpfman's links, ascending by id.
    package var linkRecords: [LinkRecord]
    /// Bytes of the database file, nil when it cannot be read.
    package var storeBytes: Int64?
}

extension Manager {
    /// The kernel's programs, maps and links and bpfman's link records, read
    /// as the queries read: without the writer lock, so a scrape never waits
    /// for a writer.
    ///
    /// An object that goes away between being listed and being read is left
    /// out: the scrape reports the objects that exist.
    /// - Throws: `ManagerError` when the database cannot be read.
    package func metricsInventory() throws(ManagerError) -> MetricsInventory {
        let programs = KernelProgram.allIDs().compactMap { id -> KernelProgram? in
            guard let fd = try? KernelProgram.open(id: id) else { return nil } // unloaded since listed
            return try? KernelProgram(fd: fd, readingFDInfo: false)
        }
        let maps = KernelMap.allIDs().compactMap { id in try? KernelMap(id: id, readingFDInfo: false) } // nil: freed since listed
        let links = KernelLink.allIDs().compactMap { id -> KernelLink? in
            guard let fd = try? KernelLink.open(id: id) else { return nil } // released since listed
            return try? KernelLink(fd: fd)
        }
        let records = try stored { () throws(StoreError) in try store.links() }
        let size = FileSystem.status(layout.database).map { Int64($0.st_size) }
        return MetricsInventory(programs: programs, maps: maps, links: links, linkRecords: records, storeBytes: size)
    }
}

extension Manager {
    /// The kind of link `id` from its record alone, touching neither the
    /// kernel nor a namespace; nil for unknown ids.
    package func linkKind(_ id: LinkID) throws(ManagerError) -> ProgramType? {
        try stored { () throws(StoreError) in try store.link(id) }?.kind
    }
}

extension Manager {
    /// Runs `body` with the kernel's per-program run statistics switched on
    /// (``RunTimeStats``): what a daemon does for its lifetime, so that
    /// run counts and run times grow while it serves and stop when it ends.
    /// Without them (a kernel before 5.8) `body` still runs, with a warning,
    /// and run counts stay 0.
    package static func withRunTimeStatistics<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let stats: RunTimeStats?
        do { stats = try RunTimeStats() } catch {
            Logger.bpfman(.manager).warning("cannot enable BPF run-time statistics; run counts and run times stay 0",
                                            metadata: [LogKey.error: "\(error)"])
            stats = nil
        }
        defer { withExtendedLifetime(stats) {} }
        return try body()
    }
}
