/// Where a long-running process (`bpfman serve`, the agent, `--watch`) runs
/// manager work: queries on a pool of readers, mutations on one writer
/// thread. Both stay off the cooperative pool, so a writer waiting for the
/// cross-process lock blocks neither readers nor async I/O, and writers
/// queue in arrival order.
package final class DaemonExecutor: Sendable {
    /// Threads for queries, which never take the writer lock.
    package let readers: WorkerPool
    /// The thread for mutations.
    package let writer: WorkerPool

    /// Starts `readers` reader threads and one writer thread.
    package init(readers: Int = 2) {
        self.readers = WorkerPool(name: "bpfman-read", threads: readers)
        self.writer = WorkerPool(name: "bpfman-write", threads: 1)
    }

    /// Runs a query on a reader thread.
    package func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await readers.run(body)
    }

    /// Runs a mutation on the writer thread.
    package func write<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await writer.run(body)
    }
}
