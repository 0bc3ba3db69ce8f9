import Diagnostics
import SystemPackage

/// The single error type of the `Namespaces` module.
///
/// `message` is lowercase without a trailing period and chains causes as
/// "verb object: cause", for example `"read /proc/42/status: permission denied"`.
package struct NamespaceError: BpfmanError, Equatable {
    /// The class of the failure.
    package var code: ErrorCode
    /// The lowercase, period-free description.
    package var message: String
    /// The system call that failed, when one did.
    package var underlying: SyscallError?

    /// Creates an error of class `code`.
    package init(_ code: ErrorCode, _ message: String, underlying: SyscallError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Wraps a failed call: `"\(action): \(strerror)"`, classed by the errno.
    package init(_ action: String, errno: Errno) {
        self.init(ErrorCode(errno: errno), "\(action): \(errno.lowercasedDescription)",
                  underlying: SyscallError(call: action, errno: errno))
    }
}
