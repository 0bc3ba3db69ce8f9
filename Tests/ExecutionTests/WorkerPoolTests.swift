import Execution
import Foundation
import LinuxSys
import Synchronization
import Testing

/// A gate a job waits at until the test opens it: phases by construction.
private final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let entered = DispatchSemaphore(value: 0)
    /// Called by the job: says it started, then waits for `open`.
    func pass() { entered.signal(); semaphore.wait() }
    /// Waits until the job is inside `pass`.
    func waitUntilEntered() async { await withCheckedContinuation { continuation in
        Thread { self.entered.wait(); continuation.resume() }.start()
    } }
    func open() { semaphore.signal() }
}

@Suite("WorkerPool: blocking work off the cooperative pool")
struct WorkerPoolTests {
    @Test("a job runs on one of the pool's named threads")
    func runsOnPoolThread() async throws {
        let pool = WorkerPool(name: "test-pool", threads: 1)
        let name = try await pool.run { WorkerPool.currentWorkerName ?? "" }
        #expect(name == "test-pool-1")
        #expect(WorkerPool.currentWorkerName == nil, "the test's own thread is no worker")
    }

    @Test("a reader answers while the writer is blocked")
    func readersNotBlockedByWriter() async throws {
        let executor = DaemonExecutor(readers: 1)
        let gate = Gate()
        let writing = Task { try await executor.write { gate.pass(); return 1 } }
        await gate.waitUntilEntered()
        // The writer thread is parked inside the gate; a read still answers.
        let read = try await executor.read { 42 }
        #expect(read == 42)
        gate.open()
        #expect(try await writing.value == 1)
    }

    @Test("a job whose task is cancelled before a thread takes it never runs")
    func cancelledBeforeStart() async throws {
        let pool = WorkerPool(name: "test-cancel", threads: 1)
        let gate = Gate()
        let ran = Mutex(false)
        let first = Task { try await pool.run { gate.pass() } }
        await gate.waitUntilEntered()
        let second = Task { try await pool.run { ran.withLock { $0 = true } } }
        second.cancel()
        gate.open()
        try await first.value
        await #expect(throws: CancellationError.self) { try await second.value }
        // Everything queued after the cancelled job runs once it is skipped.
        _ = try await pool.run { 0 }
        #expect(ran.withLock { $0 } == false)
    }

    @Test("a running job sees its caller's cancellation")
    func runningJobSeesCancellation() async throws {
        let pool = WorkerPool(name: "test-running", threads: 1)
        let gate = Gate()
        let job = Task { try await pool.run { () -> Bool in gate.pass(); return WorkerPool.isCurrentJobCancelled } }
        await gate.waitUntilEntered()
        job.cancel()
        gate.open()
        #expect(try await job.value == true)
        #expect(WorkerPool.isCurrentJobCancelled == false, "off the pool's threads there is no job")
    }

    @Test("a thread a job leaves tainted is ended and replaced, never reused")
    func taintedThreadReplaced() async throws {
        let pool = WorkerPool(name: "test-taint", threads: 1)
        let first = try await pool.run { () -> String in
            ThreadTaint.mark()
            return WorkerPool.currentWorkerName ?? ""
        }
        let second = try await pool.run { () -> (String, Bool) in (WorkerPool.currentWorkerName ?? "", ThreadTaint.isTainted) }
        #expect(first == "test-taint-1")
        #expect(second.0 == "test-taint-2" && second.1 == false)
        #expect(pool.threadsStarted == 2)
    }

    @Test("a tainted thread refuses namespace work")
    func taintedThreadRefusesNamespaceWork() async throws {
        let pool = WorkerPool(name: "test-netns", threads: 1)
        let refusal = try await pool.run { () -> NetworkNamespaceEntryError? in
            ThreadTaint.mark()
            do {
                try NetworkNamespace.run(in: "/proc/self/ns/net") {}
                return nil
            } catch let error as NetworkNamespaceEntryError {
                return error
            }
        }
        #expect(refusal?.threadTainted == true)
        #expect(refusal?.reason == "this thread could not return from an earlier network namespace")
    }
}

@Suite("FileLock: waiting for the writer lock")
struct FileLockTests {
    @Test("a waiter gives up when cancelled, and takes the lock once it is free")
    func cancelledWait() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bpfman-lock-\(getpid())").path
        defer { unlink(path) }
        var holder: FileLock? = try FileLock(path: path, timeout: 1)
        // Held through another open file description: flock conflicts even
        // within one process.
        #expect(Self.failure(path, timeout: nil, cancelled: true) == "cancelled")
        #expect(Self.failure(path, timeout: 0, cancelled: false) == "timedOut")
        holder = nil
        _ = try FileLock(path: path, timeout: 0)
    }

    /// How taking the lock fails, by case name; nil when it is taken.
    private static func failure(_ path: String, timeout: Double?, cancelled: Bool) -> String? {
        do {
            _ = try FileLock(path: path, timeout: timeout) { cancelled }
            return nil
        } catch {
            switch error {
            case .cancelled: return "cancelled"
            case .timedOut: return "timedOut"
            case .system(let errno): return "\(errno)"
            }
        }
    }
}
