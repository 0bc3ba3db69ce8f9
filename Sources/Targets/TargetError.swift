import Diagnostics

/// A failure to resolve a uprobe target or its symbol.
package struct TargetError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed, naming the lookups that were tried.
    package var message: String

    /// Creates a target error.
    package init(code: ErrorCode, message: String) {
        self.code = code
        self.message = message
    }
}
