import SystemPackage

/// An error that knows its class and how to describe itself to a user.
///
/// Every module defines one concrete error type conforming to this protocol;
/// callers match on ``code``, never on message text.
package protocol BpfmanError: Error, CustomStringConvertible, Sendable {
    /// The class of the failure.
    var code: ErrorCode { get }
    /// A lowercase message without trailing period, chained as
    /// "verb object: cause".
    var message: String { get }
    /// The step, system call and missing feature behind the failure, as
    /// far as they are known.
    var cause: ErrorCause { get }
}

extension BpfmanError {
    /// The message, as shown to users.
    package var description: String { message }

    /// Nothing known beyond the class and the message.
    package var cause: ErrorCause { ErrorCause() }
}

/// What is known of why an operation failed beyond its class and message:
/// the step that failed, the system call and its errno, the kernel feature
/// the host lacks. Callers (the CLI, the gRPC server, tests) match these,
/// never the message text.
package struct ErrorCause: Sendable, Equatable {
    /// The step that failed, in the message's words ("attach program 12").
    package var step: String?
    /// The system call that failed, with its errno.
    package var syscall: SyscallError?
    /// The name of the kernel feature the host lacks (`kprobe`).
    package var missingFeature: String?

    /// A cause with what is known.
    package init(step: String? = nil, syscall: SyscallError? = nil, missingFeature: String? = nil) {
        self.step = step
        self.syscall = syscall
        self.missingFeature = missingFeature
    }
}

/// A failed system call: which call, with which errno.
package struct SyscallError: BpfmanError, Equatable {
    /// The name of the call, for example `BPF_LINK_CREATE` or `perf_event_open`.
    package var call: String
    /// The errno the kernel answered.
    package var errno: Errno

    /// Creates the error for `call` failing with `errno`.
    package init(call: String, errno: Errno) {
        self.call = call
        self.errno = errno
    }

    /// The class that `errno` usually means.
    package var code: ErrorCode { ErrorCode(errno: errno) }

    /// `call: strerror(errno)`.
    package var message: String { "\(call): \(errno.lowercasedDescription)" }

    /// The call itself.
    package var cause: ErrorCause { ErrorCause(syscall: self) }
}

extension ErrorCode {
    /// The usual class of an errno.
    package init(errno: Errno) {
        switch errno {
        case .noSuchFileOrDirectory, .noSuchProcess, .operationNotSupportedByDevice: self = .notFound
        case .fileExists, .resourceBusy: self = .alreadyExists
        case .invalidArgument, .argListTooLong, .badAddress: self = .invalidArgument
        case .notPermitted, .permissionDenied: self = .permissionDenied
        case .notSupported, .noFunction: self = .unsupported
        case .wouldBlock, .timedOut: self = .unavailable
        default: self = .internal
        }
    }
}

extension Errno {
    /// strerror text starting in lowercase, as Go's syscall errors print.
    package var lowercasedDescription: String {
        let text = description
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}

#if canImport(Glibc)
import Glibc
#endif

extension Errno {
    /// The calling thread's `errno`, read right after a failed call.
    package static var lastError: Errno { Errno(rawValue: Glibc.errno) }
}
