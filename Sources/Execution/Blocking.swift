import Dispatch

/// Runs async calls from synchronous callers: the CLI's main thread, or
/// manager work on a ``WorkerPool`` thread. Never call it from a task on the
/// cooperative pool, whose threads it would block.
package enum Blocking {
    /// Waits for `body` on a task and returns its result.
    package static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () async throws(E) -> T) throws(E) -> T {
        let box = ResultBox<T, E>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(E) { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        // The semaphore orders the task's write before this read.
        guard let result = box.result else { fatalError("Blocking.run finished without a result") }
        return try result.get()
    }
}

private final class ResultBox<T, E: Error>: @unchecked Sendable {
    var result: Result<T, E>?
}
