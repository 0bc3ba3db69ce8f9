import Diagnostics
import Manager
import NIOCore
import NIOHTTP1
import NIOPosix

/// Where `--metrics-address` asks the endpoint to listen: `HOST:PORT`, the
/// host an IPv4 or IPv6 address (`[::1]:9090`), or empty for every
/// interface (`:9090`).
package struct MetricsAddress: Sendable, Equatable {
    /// The address to bind.
    package var host: String
    /// The port; 0 lets the kernel choose one.
    package var port: Int

    /// Parses `HOST:PORT`.
    ///
    /// - Throws: `.invalidArgument` naming the flag when the text has no
    ///   port, or a port that is not a number from 0 to 65535.
    package init(parsing text: String) throws(ManagerError) {
        let invalid = ManagerError(.invalidArgument, "invalid --metrics-address \"\(text)\": expected HOST:PORT")
        guard let colon = text.lastIndex(of: ":") else { throw invalid }
        let digits = text[text.index(after: colon)...]
        guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }), let port = Int(digits), port <= 65535 else { throw invalid }
        var host = String(text[..<colon])
        if host.hasPrefix("[") || host.hasSuffix("]") {
            guard host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 else { throw invalid }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw invalid // an IPv6 address needs its brackets
        }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}

/// The HTTP/1.1 endpoint serving `GET /metrics` in the Prometheus text
/// format. The event loop only parses and writes; `scrape` runs the
/// daemon's reads off it, never taking the writer lock.
package final class MetricsEndpoint: Sendable {
    private let channel: any Channel

    /// The address it listens on, the kernel's port included.
    package let boundAddress: String

    /// Binds `address` and serves `scrape`'s text until ``close()``.
    ///
    /// - Throws: when the address cannot be bound.
    package init(address: MetricsAddress, scrape: @escaping @Sendable () async throws -> String) throws {
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(scrape: scrape))
                }
            }
            .bind(host: address.host, port: address.port).wait()
        let local = channel.localAddress
        let host = local?.ipAddress ?? address.host
        boundAddress = (host.contains(":") ? "[\(host)]" : host) + ":\(local?.port ?? address.port)"
    }

    /// Stops listening; scrapes in flight finish on their connections.
    package func close() {
        try? channel.close().wait() // already closed: nothing to stop
    }
}

/// One connection's requests: `GET` or `HEAD` of `/metrics` scrape;
/// anything else is answered 404 or 405.
private final class MetricsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let scrape: @Sendable () async throws -> String
    private var request: HTTPRequestHead?

    init(scrape: @escaping @Sendable () async throws -> String) { self.scrape = scrape }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard path == "/metrics" else { return respond(context, head, .notFound, "not found: only /metrics is served\n") }
            guard head.method == .GET || head.method == .HEAD else {
                return respond(context, head, .methodNotAllowed, "method not allowed\n", extra: [("Allow", "GET, HEAD")])
            }
            let promise = context.eventLoop.makePromise(of: String.self)
            promise.completeWithTask(scrape)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenComplete { result in
                let (handler, context) = bound.value
                switch result {
                case .success(let text):
                    handler.respond(context, head, .ok, text, extra: [("Content-Type", PrometheusText.contentType)])
                case .failure(let error):
                    handler.respond(context, head, .internalServerError, "scrape failed: \(error)\n")
                }
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ body: String,
                         extra: [(String, String)] = []) {
        var headers = HTTPHeaders(extra)
        if headers["Content-Type"].isEmpty { headers.add(name: "Content-Type", value: "text/plain; charset=utf-8") }
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
