import AsyncHTTPClient
import Glibc
import NIOCore
import NIOHTTP1

/// Why an HTTP exchange failed, sorted for callers that map failures to
/// their error codes, with a description a user can act on.
package enum HTTPFailure: Sendable, Equatable, CustomStringConvertible {
    /// A system call failed with this errno: a connect(2) to a missing
    /// socket (`ENOENT`), to one nobody listens on (`ECONNREFUSED`) or the
    /// caller may not use (`EACCES`), or a reset connection.
    case system(errno: CInt)
    /// The address cannot be connected to as written: a unix socket path
    /// longer than `sun_path` holds, an IP address that does not parse.
    case invalidAddress(String)
    /// The server did not accept, answer or go on answering in time:
    /// "connect timeout", "read timeout", "write timeout" or "deadline exceeded".
    case timedOut(String)
    /// The server's bytes are not an HTTP/1.1 response: a bad status line,
    /// header, chunk size (a negative one included) or a body cut short.
    case malformedResponse(String)
    /// The response body is larger than the caller's limit.
    case tooLarge
    /// Anything else, as async-http-client or NIO describes it.
    case other(String)

    /// Sorts `error`, as thrown by `HTTPClient.execute` or while reading a body.
    package init(_ error: any Error) {
        switch error {
        case let error as IOError:
            self = .system(errno: error.errnoCode)
        case SocketAddressError.unixDomainSocketPathTooLong:
            self = .invalidAddress("unix socket path too long")
        case let error as SocketAddressError:
            self = .invalidAddress(String(describing: error))
        case let error as HTTPParserError:
            self = .malformedResponse(error.debugDescription)
        case is NIOTooManyBytesError:
            self = .tooLarge
        case let error as HTTPClientError where [.connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded].contains(error):
            self = .timedOut(error.shortDescription.lowercased())
        case let error as HTTPClientError where error == .remoteConnectionClosed:
            self = .malformedResponse("the server closed the connection before the response ended")
        case let error as HTTPClientError:
            self = .other(error.shortDescription.lowercased())
        default:
            self = .other(String(describing: error))
        }
    }

    /// What went wrong, in lowercase words.
    package var description: String {
        switch self {
        case .system(let code): String(cString: strerror(code)).lowercased()
        case .invalidAddress(let text), .other(let text): text
        case .timedOut(let text): text
        case .malformedResponse(let text): "malformed HTTP response: \(text)"
        case .tooLarge: "response larger than the limit"
        }
    }
}
