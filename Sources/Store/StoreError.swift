import Diagnostics

/// A failure of the state database.
package struct StoreError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed.
    package var message: String
    /// The database or decoding error behind it, if any.
    package var underlying: (any Error)?

    /// Creates a store error.
    package init(code: ErrorCode = .internal, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// A stored value that does not fit its Swift type: names the row
    /// (`managed_programs row 7`), the column and why.
    static func corrupt(row: String, column: String, _ reason: String, underlying: (any Error)? = nil) -> StoreError {
        StoreError(code: .internal, message: "\(row): column \(column): \(reason)", underlying: underlying)
    }

    /// Wraps an error raised during `operation`; a store error keeps its
    /// class and cause, with the operation prepended.
    static func database(_ operation: String, _ error: any Error) -> StoreError {
        if let error = error as? StoreError {
            return StoreError(code: error.code, message: "\(operation): \(error.message)", underlying: error.underlying)
        }
        return StoreError(code: .internal, message: "\(operation): \(error)", underlying: error)
    }
}
