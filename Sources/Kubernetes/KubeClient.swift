import AsyncHTTPClient
import Diagnostics
import Foundation
import HTTPTransport
import NIOCore
import NIOHTTP1
import NIOSSL

/// One event of a watch stream.
package enum WatchEvent<Object: KubeObject>: Sendable {
    /// An object appeared (or matched the selector).
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object went away (or stopped matching the selector).
    case deleted(Object)
    /// The server's progress marker: the collection is at this version.
    case bookmark(resourceVersion: String)
}

/// A Kubernetes API client on async-http-client: list, merge/JSON
/// patches (objects and their status subresource) and watch streams.
///
/// Authenticates with a bearer token (read from the token file for each
/// request when there is one, as service-account tokens rotate) or a client
/// certificate; trusts the configured CA.
package final class KubeClient: Sendable {
    private let http: HTTPClient
    private let config: KubeConfig

    /// Creates a client for `config`; call ``shutdown()`` when done.
    ///
    /// - Throws: `.invalidArgument` when the certificates do not parse.
    package init(config: KubeConfig) throws(KubeError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let authority = config.certificateAuthority {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(authority))
            }
            if let certificate = config.clientCertificate, let key = config.clientKey {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw KubeError(.invalidArgument, "kubeconfig certificates: \(error)")
        }
        if config.insecureSkipTLSVerify { tls.certificateVerification = .none }
        var configuration = HTTPTransport.configuration(connect: .seconds(10), read: .seconds(330))
        configuration.tlsConfiguration = tls
        self.http = HTTPTransport.client(configuration)
        self.config = config
    }

    /// Closes the connections.
    package func shutdown() async {
        try? await http.shutdown()
    }

    /// Lists a collection (in `namespace`, or everywhere).
    package func list<Object: KubeObject>(_ resource: KubeResource, namespace: String? = nil, labelSelector: String? = nil,
                                          fieldSelector: String? = nil, as type: Object.Type = Object.self) async throws(KubeError) -> ObjectList<Object> {
        let query = Self.query(["labelSelector": labelSelector, "fieldSelector": fieldSelector])
        let body = try await send("GET", resource.path(namespace: namespace) + query, what: "list \(resource)")
        return try decode(ObjectList<Object>.self, body, what: "\(resource) list")
    }

    /// How a patch body is to be read.
    package enum PatchType: String, Sendable {
        /// RFC 7386 JSON merge patch.
        case merge = "application/merge-patch+json"
        /// RFC 6902 JSON patch.
        case json = "application/json-patch+json"
    }

    /// Patches an object (or its `subresource`, such as `status`) with
    /// `body`, a JSON document built with `JSONSerialization`.
    @discardableResult
    package func patch(_ resource: KubeResource, namespace: String? = nil, name: String, subresource: String? = nil,
                       type: PatchType = .merge, body: Any) async throws(KubeError) -> [UInt8] {
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: body) } catch {
            throw KubeError(.invalidArgument, "encode patch for \(resource) \(name): \(error)")
        }
        return try await send("PATCH", resource.path(namespace: namespace, name: name, subresource: subresource),
                              contentType: type.rawValue, body: [UInt8](data), what: "patch \(resource) \(name)")
    }

    /// Watches a collection from `resourceVersion`, calling `handle` for each
    /// event until the server ends the stream (after `timeoutSeconds`).
    ///
    /// - Throws: ``KubeError`` with `httpStatus` 410 when the version is too
    ///   old (as an HTTP status or an `ERROR` event); others for transport failures.
    package func watch<Object: KubeObject>(_ resource: KubeResource, namespace: String? = nil, resourceVersion: String?,
                                           labelSelector: String? = nil, fieldSelector: String? = nil, timeoutSeconds: Int = 300,
                                           as type: Object.Type = Object.self,
                                           _ handle: (WatchEvent<Object>) async throws(KubeError) -> Void) async throws(KubeError) {
        let query = Self.query(["watch": "1", "allowWatchBookmarks": "true", "resourceVersion": resourceVersion,
                                "labelSelector": labelSelector, "fieldSelector": fieldSelector, "timeoutSeconds": String(timeoutSeconds)])
        let what = "watch \(resource)"
        let response = try await execute("GET", resource.path(namespace: namespace) + query, contentType: nil, body: nil,
                                         deadline: .seconds(Int64(timeoutSeconds) + 30), what: what)
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { [UInt8]($0.readableBytesView) } ?? []
            throw Self.failure(status: Int(response.status.code), body: body, what: what)
        }
        var pending: [UInt8] = []
        do {
            for try await buffer in response.body {
                pending += buffer.readableBytesView
                while let newline = pending.firstIndex(of: 0x0a) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    if !line.isEmpty { try await handle(try Self.event(line, what: what)) }
                }
                if pending.count > 16 << 20 { throw KubeError(.invalidArgument, "\(what): event larger than 16 MiB") }
            }
        } catch let error as KubeError {
            throw error
        } catch {
            throw KubeError(.unavailable, "\(what): stream ended: \(HTTPFailure(error))")
        }
    }

    // MARK: Transport

    private func send(_ method: String, _ path: String, contentType: String? = nil, body: [UInt8]? = nil,
                      what: String) async throws(KubeError) -> [UInt8] {
        let response = try await execute(method, path, contentType: contentType, body: body, deadline: .seconds(30), what: what)
        let bytes: [UInt8]
        do { bytes = [UInt8](try await response.body.collect(upTo: 64 << 20).readableBytesView) } catch {
            throw KubeError(.unavailable, "\(what): read response: \(HTTPFailure(error))")
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Self.failure(status: Int(response.status.code), body: bytes, what: what)
        }
        return bytes
    }

    private func execute(_ method: String, _ path: String, contentType: String?, body: [UInt8]?, deadline: TimeAmount,
                         what: String) async throws(KubeError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: config.server + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "bpfman-agent")
        if let token = config.currentToken(), !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(body) }
        do {
            return try await http.execute(request, timeout: deadline)
        } catch {
            throw KubeError(.unavailable, "\(what): \(method) \(config.server)\(path): \(HTTPFailure(error))")
        }
    }

    private static func event<Object: KubeObject>(_ line: [UInt8], what: String) throws(KubeError) -> WatchEvent<Object> {
        let data = Data(line)
        do {
            switch try JSONDecoder().decode(Envelope.self, from: data).type {
            case "ADDED": return .added(try JSONDecoder().decode(EventObject<Object>.self, from: data).object)
            case "MODIFIED": return .modified(try JSONDecoder().decode(EventObject<Object>.self, from: data).object)
            case "DELETED": return .deleted(try JSONDecoder().decode(EventObject<Object>.self, from: data).object)
            case "BOOKMARK": return .bookmark(resourceVersion: try JSONDecoder().decode(EventObject<Bookmark>.self, from: data).object.metadata.resourceVersion)
            case "ERROR":
                let status = try JSONDecoder().decode(EventObject<KubeStatus>.self, from: data).object
                throw KubeError(ErrorCode(httpStatus: status.code ?? 500), "\(what): \(status.message ?? status.reason ?? "error event")", httpStatus: status.code)
            case let other:
                throw KubeError(.invalidArgument, "\(what): unknown event type \(other)")
            }
        } catch let error as KubeError {
            throw error
        } catch {
            throw KubeError(.invalidArgument, "\(what): bad event: \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], what: String) throws(KubeError) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(body)) } catch {
            throw KubeError(.invalidArgument, "decode \(what): \(error)")
        }
    }

    private static func failure(status: Int, body: [UInt8], what: String) -> KubeError {
        let server = (try? JSONDecoder().decode(KubeStatus.self, from: Data(body)))?.message
        return KubeError(ErrorCode(httpStatus: status), "\(what): \(status)\(server.map { " " + $0 } ?? "")", httpStatus: status)
    }

    private static func query(_ parameters: KeyValuePairs<String, String?>) -> String {
        var components = URLComponents()
        components.queryItems = parameters.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        guard let query = components.percentEncodedQuery, !query.isEmpty else { return "" }
        return "?" + query.replacingOccurrences(of: "+", with: "%2B")
    }
}

/// A watch event line, `{"type":...,"object":...}`.
private struct Envelope: Decodable {
    var type: String
}

/// The object of a watch event line.
private struct EventObject<Inner: Decodable>: Decodable {
    var object: Inner
}

/// A bookmark's object: only its resource version.
private struct Bookmark: Decodable {
    struct Meta: Decodable { var resourceVersion: String }
    var metadata: Meta
}
