import Foundation
import LinuxSys
import Logs

/// A fixed set of threads running blocking work — lock waits, syscalls,
/// namespace switches, helper spawns — outside Swift concurrency's
/// cooperative pool, whose few threads must never block.
///
/// Jobs run in the order they arrive. A job whose task is cancelled before a
/// thread takes it never runs; one already running can ask
/// ``isCurrentJobCancelled`` at points where stopping is safe. A thread a
/// job leaves tainted (``ThreadTaint``: stuck in a foreign namespace) is
/// ended after that job and replaced, never reused.
package final class WorkerPool: @unchecked Sendable {
    /// One queued call: what to run, and whether its caller went away.
    private final class Job: @unchecked Sendable {
        let work: @Sendable (_ cancelled: Bool) -> Void
        private let state = NSLock()
        private var cancelled = false

        init(_ work: @escaping @Sendable (_ cancelled: Bool) -> Void) { self.work = work }

        var isCancelled: Bool { state.withLock { cancelled } }
        func cancel() { state.withLock { cancelled = true } }
    }

    private let name: String
    /// Guards `queue` and `started`, and wakes idle threads.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var started = 0
    private static let jobKey = "bpfman.worker.job"
    private static let nameKey = "bpfman.worker.name"

    /// Starts `threads` threads named `name-N`.
    package init(name: String, threads: Int) {
        self.name = name
        for _ in 0..<max(1, threads) { startThread() }
    }

    /// How many threads the pool started, replacements included.
    package var threadsStarted: Int { condition.withLock { started } }

    /// Runs `body` on one of the pool's threads and returns its result.
    ///
    /// - Throws: `CancellationError` when the calling task was cancelled
    ///   before the job started, else what `body` throws.
    package func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let box = JobBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let job = Job { cancelled in
                    if cancelled { continuation.resume(throwing: CancellationError()); return }
                    continuation.resume(with: Result { try body() })
                }
                box.set(job)
                condition.withLock {
                    queue.append(job)
                    condition.signal()
                }
            }
        } onCancel: {
            box.cancel()
        }
    }

    /// The pool thread running this code (`name-N`); nil off the pools' threads.
    package static var currentWorkerName: String? {
        Thread.current.threadDictionary[nameKey] as? String
    }

    /// Whether the caller of the job running on this thread was cancelled.
    /// False off the pool's threads.
    package static var isCurrentJobCancelled: Bool {
        (Thread.current.threadDictionary[jobKey] as? Job)?.isCancelled ?? false
    }

    private func startThread() {
        let index = condition.withLock {
            started += 1
            return started
        }
        let label = "\(name)-\(index)"
        Thread { [self] in
            // The kernel's name (ps, gdb; at most 15 bytes) is set from the
            // thread itself: Foundation's, set before start, may not reach it.
            ThreadName.set(label)
            Thread.current.threadDictionary[Self.nameKey] = label
            serve()
        }.start()
    }

    /// A thread's loop: take a job, run it, and end after one that left the
    /// thread tainted, starting a replacement.
    private func serve() {
        while true {
            let job = condition.withLock {
                while queue.isEmpty { condition.wait() }
                return queue.removeFirst()
            }
            Thread.current.threadDictionary[Self.jobKey] = job
            job.work(job.isCancelled)
            Thread.current.threadDictionary[Self.jobKey] = nil
            if ThreadTaint.isTainted {
                Logger.bpfman(.manager).error("ending a worker thread that could not return to its network namespace; starting a replacement",
                                              metadata: ["worker": .string(Self.currentWorkerName ?? name)])
                startThread()
                return
            }
        }
    }

    /// Hands the cancellation handler the job, which exists only once the
    /// continuation does.
    private final class JobBox: @unchecked Sendable {
        private let lock = NSLock()
        private var job: Job?
        private var cancelled = false

        func set(_ job: Job) {
            let cancel = lock.withLock {
                self.job = job
                return cancelled
            }
            if cancel { job.cancel() }
        }

        func cancel() {
            let job = lock.withLock {
                cancelled = true
                return self.job
            }
            job?.cancel()
        }
    }
}
