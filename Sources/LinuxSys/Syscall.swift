import Diagnostics
import Glibc
import SystemPackage

/// Runs a libc call that returns -1 and sets errno on failure, retrying EINTR.
///
/// - Returns: the call's non-negative result.
/// - Throws: the errno of the failed call.
@inline(__always)
package func retryingOnInterrupt<T: FixedWidthInteger>(_ body: () -> T) throws(Errno) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let errno = Errno.lastError
        if errno == .interrupted { continue }
        throw errno
    }
}

/// Runs a libbpf call that returns a negative errno on failure, retrying EINTR.
///
/// - Returns: the call's non-negative result.
/// - Throws: `-result` as an errno.
@inline(__always)
package func negativeErrno(_ body: () -> CInt) throws(Errno) -> CInt {
    while true {
        let result = body()
        if result >= 0 { return result }
        let errno = Errno(rawValue: -result)
        if errno == .interrupted { continue }
        throw errno
    }
}
