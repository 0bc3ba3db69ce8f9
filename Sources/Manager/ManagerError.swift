import Diagnostics

/// A failure of a manager operation, with the message the CLI prints and the
/// class the CLI and the gRPC server map to exit codes and statuses.
package struct ManagerError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// The message, in the CLI contract's wording.
    package var message: String

    /// Creates an error.
    package init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Wraps a lower-level error, prefixing `context` when given.
    package init(_ error: any Error, context: String? = nil) {
        let inner = (error as? any BpfmanError)
        let text = inner?.message ?? "\(error)"
        self.code = inner?.code ?? .internal
        self.message = context.map { "\($0): \(text)" } ?? text
    }
}
