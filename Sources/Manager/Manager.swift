import BPF
import Diagnostics
import Execution
import LinuxSys
import Logs
import Model
import Store
import Synchronization

/// The one core behind the CLI and the gRPC server: loads, attaches,
/// detaches, unloads and reports programs, keeping the kernel, the bpffs pins
/// and the database consistent.
///
/// Mutations take the exclusive writer lock (`<rt>/.lock`) and first repair
/// whatever an interrupted earlier writer left; queries never wait for it.
package final class Manager: Sendable {
    /// The runtime directory layout.
    package let layout: RuntimeLayout
    /// The state database.
    let store: Store
    /// How long writers wait for the lock; nil waits forever.
    let lockTimeout: Double?
    /// How the lock timeout was spelled, for messages.
    let lockTimeoutText: String
    /// Where the namespace helper executable is.
    let namespaceHelper: String
    /// The image cache and signing policy.
    package let imageSettings: ImageSettings
    /// Whether this process serves many requests; see ``ManagerConfiguration/longLived``.
    let longLived: Bool
    /// Who measures this manager's work, once a daemon sets one.
    private let observerSlot = Mutex<(any ManagerObserver)?>(nil)

    /// The observer that measures this manager's work; nil when none does.
    var observer: (any ManagerObserver)? { observerSlot.withLock { $0 } }

    /// Makes `observer` receive the writer-lock waits and repair actions
    /// of every later call.
    package func observe(with observer: any ManagerObserver) {
        observerSlot.withLock { $0 = observer }
    }

    /// Opens the manager over runtime directory `configuration.runtimeDirectory`,
    /// creating its layout and mounting bpffs when needed.
    ///
    /// - Throws: `ManagerError` when the directory cannot be prepared or the
    ///   database cannot be opened.
    package init(configuration: ManagerConfiguration) throws(ManagerError) {
        layout = try RuntimeLayout(root: configuration.runtimeDirectory)
        try layout.prepare()
        do {
            store = try Store(path: layout.database, busyTimeout: configuration.databaseBusyTimeout)
        } catch {
            throw ManagerError(error, context: "create manager")
        }
        Logger.bpfman(.store).debug("opened database", metadata: [LogKey.path: "\(layout.database)"])
        lockTimeout = configuration.lockTimeout
        lockTimeoutText = configuration.lockTimeoutText
        namespaceHelper = configuration.namespaceHelperPath
        imageSettings = configuration.images
        longLived = configuration.longLived
    }

    /// Runs `body` holding the writer lock, after repairing leftovers.
    func writing<T>(_ body: () throws(ManagerError) -> T) throws(ManagerError) -> T {
        let log = Logger.bpfman(.manager)
        log.debug("waiting for the writer lock", metadata: [LogKey.path: "\(layout.lockFile)", "timeout": "\(lockTimeoutText)"])
        let lock: FileLock
        let waitStart = ContinuousClock.now
        do {
            lock = try FileLock(path: layout.lockFile, timeout: lockTimeout) { WorkerPool.isCurrentJobCancelled }
        } catch {
            observer?.writerLockWaited(waitStart.duration(to: .now), outcome: WriterLockOutcome(error))
            switch error {
            case .timedOut:
                throw ManagerError(.unavailable, "timed out waiting for lock \(layout.lockFile) (--lock-timeout=\(lockTimeoutText))")
            case .cancelled:
                log.info("the call went away while waiting for the writer lock; nothing was changed", metadata: [LogKey.path: "\(layout.lockFile)"])
                throw ManagerError(.cancelled, "cancelled while waiting for lock \(layout.lockFile)")
            case .system(let errno):
                throw ManagerError("lock \(layout.lockFile)", call: "flock", errno: errno)
            }
        }
        observer?.writerLockWaited(waitStart.duration(to: .now), outcome: .acquired)
        log.debug("holding the writer lock", metadata: [LogKey.path: "\(layout.lockFile)"])
        defer { if !longLived { store.checkpoint() } }
        try repair()
        // The last point at which a call that went away changes nothing.
        guard !WorkerPool.isCurrentJobCancelled else {
            log.info("the call went away before its change; nothing was changed")
            throw ManagerError(.cancelled, "cancelled before it changed anything")
        }
        let result = try body()
        _ = consume lock
        return result
    }

    /// Converts store failures into manager errors.
    func stored<T>(_ body: () throws(StoreError) -> T) throws(ManagerError) -> T {
        do { return try body() } catch { throw ManagerError(error) }
    }
}

/// Settings a ``Manager`` is opened with.
package struct ManagerConfiguration: Sendable {
    /// The runtime directory (absolute).
    package var runtimeDirectory: String
    /// Seconds writers wait for the lock; nil waits forever.
    package var lockTimeout: Double?
    /// The lock timeout as the user spelled it, for messages.
    package var lockTimeoutText: String
    /// Seconds SQLite waits on a busy database.
    package var databaseBusyTimeout: Double
    /// The `bpfman-ns` executable.
    package var namespaceHelperPath: String
    /// The image cache and signing policy.
    package var images: ImageSettings
    /// Whether the process serves many requests (`bpfman serve`, the
    /// agent). A one-command process empties the database log after its
    /// writes, so the next command has nothing to replay; a daemon keeps its
    /// connection, and with it the log index, open and leaves the log to
    /// SQLite's automatic checkpoints.
    package var longLived: Bool

    /// Creates a configuration.
    package init(runtimeDirectory: String = "/run/bpfman", lockTimeout: Double? = 30, lockTimeoutText: String = "30s",
                 databaseBusyTimeout: Double = 5, namespaceHelperPath: String, images: ImageSettings = ImageSettings(),
                 longLived: Bool = false) {
        self.runtimeDirectory = runtimeDirectory
        self.lockTimeout = lockTimeout
        self.lockTimeoutText = lockTimeoutText
        self.databaseBusyTimeout = databaseBusyTimeout
        self.namespaceHelperPath = namespaceHelperPath
        self.images = images
        self.longLived = longLived
    }
}

/// What a daemon measures of its manager's work: how long writers waited
/// for the writer lock and what crash repair did. Called on the thread
/// doing the work; must not block.
package protocol ManagerObserver: Sendable {
    /// A writer waited `wait` for the writer lock, with `outcome`.
    func writerLockWaited(_ wait: Duration, outcome: WriterLockOutcome)
    /// Crash repair took `action` ("remove orphan program pin").
    func repairActionTaken(_ action: String, succeeded: Bool)
}

/// How a wait for the writer lock ended.
package enum WriterLockOutcome: String, Sendable {
    /// The lock was taken.
    case acquired
    /// The lock timeout passed first.
    case timedOut = "timed_out"
    /// The caller went away first.
    case cancelled
    /// The lock file could not be opened or locked.
    case failed

    init(_ error: FileLock.Failure) {
        switch error {
        case .timedOut: self = .timedOut
        case .cancelled: self = .cancelled
        case .system: self = .failed
        }
    }
}
