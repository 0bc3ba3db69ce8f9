/// The class of a failure, shared by every module so that one error maps to
/// one CLI exit code and one gRPC status.
package enum ErrorCode: String, Sendable, Equatable {
    /// The named object (program, link, file, process) does not exist.
    case notFound
    /// The object already exists or is already attached.
    case alreadyExists
    /// The request itself is malformed or names something of the wrong kind.
    case invalidArgument
    /// The caller lacks a privilege the operation needs.
    case permissionDenied
    /// The running kernel lacks a feature the operation needs.
    case unsupported
    /// The system is not in a state that allows the operation.
    case failedPrecondition
    /// A dependency (lock, runtime socket, registry) could not be reached in time.
    case unavailable
    /// The caller went away (a cancelled or expired call) before the
    /// operation changed anything.
    case cancelled
    /// A bug or an unexpected kernel answer.
    case `internal`
}

extension ErrorCode {
    /// The usual class of an HTTP error status (registries, the Kubernetes API).
    package init(httpStatus: Int) {
        switch httpStatus {
        case 401, 403: self = .permissionDenied
        case 404: self = .notFound
        case 409: self = .alreadyExists
        case 410: self = .failedPrecondition
        case 408, 429: self = .unavailable
        case 400..<500: self = .invalidArgument
        default: self = .unavailable
        }
    }
}
