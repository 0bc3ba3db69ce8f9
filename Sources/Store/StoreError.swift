import Diagnostics

/// A failure of the state database.
package struct StoreError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed.
    package var message: String

    /// Creates a store error.
    package init(code: ErrorCode = .internal, message: String) {
        self.code = code
        self.message = message
    }

    /// Wraps a database error raised during `operation`.
    static func database(_ operation: String, _ error: any Error) -> StoreError {
        StoreError(code: .internal, message: "\(operation): \(error)")
    }
}
