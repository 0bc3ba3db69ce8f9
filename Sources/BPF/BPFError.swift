import Diagnostics
import SystemPackage

/// A failure of the BPF layer: object parsing, loading, pinning or attaching.
package struct BPFError: BpfmanError {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed, chained "verb object: cause".
    package var message: String
    /// The syscall failure underneath, when there is one.
    package var underlying: SyscallError?
    /// The kernel feature that is missing, for `.unsupported` errors.
    package var missingFeature: KernelFeature?

    /// Creates an error.
    package init(code: ErrorCode, message: String, underlying: SyscallError? = nil, missingFeature: KernelFeature? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.missingFeature = missingFeature
    }

    /// The failed system call and the missing kernel feature.
    package var cause: ErrorCause { ErrorCause(syscall: underlying, missingFeature: missingFeature?.name) }

    /// A failed syscall during `operation`; the errno decides the code.
    package static func syscall(_ operation: String, call: String, errno: Errno) -> BPFError {
        let cause = SyscallError(call: call, errno: errno)
        return BPFError(code: cause.code, message: "\(operation): \(errno.lowercasedDescription)", underlying: cause)
    }

    /// The kernel lacks `feature`.
    package static func unsupported(_ feature: KernelFeature, detail: String? = nil) -> BPFError {
        var message = "kernel feature \(feature.name) is not available on this kernel (\(feature.requirement))"
        if let detail { message += ": \(detail)" }
        return BPFError(code: .unsupported, message: message, missingFeature: feature)
    }
}
