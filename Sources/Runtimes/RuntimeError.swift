import Diagnostics

/// A failure talking to a container runtime.
package struct RuntimeError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed, naming the runtime and its endpoint.
    package var message: String

    /// Creates a runtime error.
    package init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
