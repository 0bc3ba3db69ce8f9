import Diagnostics

/// A failure to resolve a uprobe target or its symbol.
package struct TargetError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed, naming the lookups that were tried.
    package var message: String
    /// The system call that failed, when one did.
    package var underlying: SyscallError?

    /// Creates a target error.
    package init(code: ErrorCode, message: String, underlying: SyscallError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
