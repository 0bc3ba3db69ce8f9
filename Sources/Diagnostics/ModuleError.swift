import SystemPackage

/// Names the module a ``ModuleError`` belongs to; each such module declares
/// an empty enum conforming to it, so that its errors stay a type of their
/// own (callers catch `ArchiveError`, not every module's errors).
package protocol ErrorDomain: Sendable {}

/// The error of a module whose failures need no more than a class, a
/// message and, where a system call failed, that call: one implementation
/// for the modules that would otherwise repeat it (`ArchiveError`,
/// `ImageError`, `NamespaceError`).
package struct ModuleError<Domain: ErrorDomain>: BpfmanError, Equatable {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed and why: lowercase, no trailing period, chained as
    /// "verb object: cause".
    package var message: String
    /// The system call that failed, when one did.
    package var underlying: SyscallError?

    /// Creates an error of class `code`.
    package init(_ code: ErrorCode, _ message: String, underlying: SyscallError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// The failed system call, when one did.
    package var cause: ErrorCause { ErrorCause(syscall: underlying) }

    /// Wraps a failed call: `"\(action): \(strerror)"`, classed by the errno.
    package init(_ action: String, errno: Errno) {
        self.init(ErrorCode(errno: errno), "\(action): \(errno.lowercasedDescription)",
                  underlying: SyscallError(call: action, errno: errno))
    }
}
