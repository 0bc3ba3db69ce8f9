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
        /// The lock file could not be opened or locked.
        case system(Errno)
    }

    /// Takes the exclusive lock on `path`, creating the file, waiting at most
    /// `timeout` seconds (nil waits forever).
    package init(path: String, timeout: Double?) throws(Failure) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(Errno.lastError) }
        if let timeout {
            var clock = timespec()
            clock_gettime(CLOCK_MONOTONIC, &clock)
            let deadline = Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9 + timeout
            var pause: useconds_t = 500
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let errno = Errno.lastError
                guard errno == .wouldBlock || errno == .interrupted else { close(fd); throw .system(errno) }
                clock_gettime(CLOCK_MONOTONIC, &clock)
                if Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9 >= deadline { close(fd); throw .timedOut }
                usleep(pause)
                pause = min(pause * 2, 20_000)
            }
        } else {
            while flock(fd, LOCK_EX) != 0 {
                let errno = Errno.lastError
                guard errno == .interrupted else { close(fd); throw .system(errno) }
            }
        }
        self.fd = fd
    }

    deinit { _ = close(fd) }
}
