import AsyncHTTPClient
import NIOCore

/// The one way bpfman makes HTTP clients: async-http-client on the
/// process-wide event loops, over TCP, TLS or a unix socket
/// (`http+unix://`), with bounded timeouts, redirects left to the caller
/// and failed connections not retried.
package enum HTTPTransport {
    /// A client configuration: `connect` bounds making a connection and
    /// `read` each wait for bytes of a response. Redirects are not followed
    /// (a caller that follows them does so by hand, keeping credentials with
    /// their host), and a connection that cannot be made fails the request
    /// at once (callers pace their own retries).
    package static func configuration(connect: TimeAmount, read: TimeAmount) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: connect, read: read))
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// A client with `configuration` on the process-wide event loops; call
    /// `shutdown()` on it when done, or use ``withClient(_:_:)``.
    package static func client(_ configuration: HTTPClient.Configuration) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body` with a client made from `configuration` and shuts the
    /// client down afterwards, whether `body` returns or throws.
    package static func withClient<T, E: Error>(_ configuration: HTTPClient.Configuration,
                                                _ body: (HTTPClient) async throws(E) -> T) async throws(E) -> T {
        let http = client(configuration)
        let result: Result<T, E>
        do { result = .success(try await body(http)) } catch { result = .failure(error) }
        try? await http.shutdown()
        return try result.get()
    }
}
