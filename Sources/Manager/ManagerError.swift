import Diagnostics
import SystemPackage

/// A failure of a manager operation, with the message the CLI prints, the
/// class the CLI and the gRPC server map to exit codes and statuses, and
/// the cause underneath (step, system call, missing kernel feature).
package struct ManagerError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// The message, in the CLI contract's wording.
    package var message: String
    /// The step, system call and missing feature behind the failure.
    package var cause: ErrorCause

    /// Creates an error.
    package init(_ code: ErrorCode, _ message: String, cause: ErrorCause = ErrorCause()) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A failed system call during `step`: classed by the errno, worded
    /// `"\(step): \(strerror)"`.
    package init(_ step: String, call: String, errno: Errno) {
        self.init(ErrorCode(errno: errno), "\(step): \(errno.lowercasedDescription)",
                  cause: ErrorCause(step: step, syscall: SyscallError(call: call, errno: errno)))
    }

    /// Wraps a lower-level error, prefixing `context` when given; the
    /// wrapped error's cause is kept, with `context` as its step when it
    /// names none.
    package init(_ error: any Error, context: String? = nil) {
        let inner = (error as? any BpfmanError)
        let text = inner?.message ?? "\(error)"
        self.code = inner?.code ?? .internal
        self.message = context.map { "\($0): \(text)" } ?? text
        var cause = inner?.cause ?? ErrorCause()
        if cause.step == nil { cause.step = context }
        self.cause = cause
    }
}
