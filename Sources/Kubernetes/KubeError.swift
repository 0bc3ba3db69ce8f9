import Diagnostics

/// A failure talking to the Kubernetes API server.
package struct KubeError: BpfmanError, Equatable {
    /// The class of the failure.
    package var code: ErrorCode
    /// What failed, with the server's own message when it sent a Status.
    package var message: String
    /// The HTTP status, when the server answered.
    package var httpStatus: Int?

    /// Creates an error.
    package init(_ code: ErrorCode, _ message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    /// Whether the server said the resource version is too old (410 Gone / Expired).
    package var isExpired: Bool { httpStatus == 410 }
}
