import Diagnostics
import Glibc
import SystemPackage

/// An exclusive `flock(2)` on a file, released when dropped.
package struct FileLock: ~Copyable {
    private let fd: CInt

    /// Outcome of waiting for a lock.
    package enum Failure: Error, Sendable {
        /// The lock was held by someone else for longer than the timeout.
        case timedOut
        /// The waiter's caller went away before the lock was free.
        case cancelled
        /// The lock file could not be opened or locked.
        case system(Errno)
    }

    /// Takes the exclusive lock on `path`, creating the file, waiting at most
    /// `timeout` seconds (nil waits forever) and giving up as soon as
    /// `cancelled` answers true. The wait polls, backing off to 20 ms.
    package init(path: String, timeout: Double?, cancelled: () -> Bool = { false }) throws(Failure) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(Errno.lastError) }
        let deadline = timeout.map { Self.now() + $0 }
        var pause: useconds_t = 500
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let errno = Errno.lastError
            guard errno == .wouldBlock || errno == .interrupted else { close(fd); throw .system(errno) }
            if cancelled() { close(fd); throw .cancelled }
            if let deadline, Self.now() >= deadline { close(fd); throw .timedOut }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        self.fd = fd
    }

    /// Seconds on the monotonic clock.
    private static func now() -> Double {
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        return Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
    }

    deinit { _ = close(fd) }
}
