import Diagnostics
import AsyncHTTPClient
import Foundation
import HTTPTransport
import NIOCore
import NIOHTTP1

/// An OCI Distribution (registry v2) client.
///
/// Speaks HTTPS, or plain HTTP to registries on the loopback interface.
/// Authenticates on demand: a `401` with a `Basic` challenge is answered
/// with the credential for the registry, a `Bearer` challenge by fetching a
/// token from the realm it names (with the credential, or anonymously) and
/// retrying. Connection failures, `429` and `5xx` answers are retried with
/// backoff. Redirects are followed by hand so that credentials never travel
/// to another host. Every blob is checked against its digest and size.
package actor RegistryClient {
    private let http: HTTPClient
    private let credentials: CredentialSource
    private let progress: (@Sendable (String) -> Void)?
    private var authorizations: [String: String] = [:]
    private let retryDelays: [Duration]

    /// The most a manifest or config document may weigh.
    package static let documentLimit = 4 << 20

    /// Creates a client; call ``shutdown()`` when done, or use ``with(credentials:progress:_:)``.
    ///
    /// - Parameters:
    ///   - credentials: where credentials come from.
    ///   - progress: receives a line now and then during long transfers.
    ///   - retryDelays: the waits between attempts; one attempt more than delays.
    package init(credentials: CredentialSource, progress: (@Sendable (String) -> Void)? = nil,
                 retryDelays: [Duration] = [.milliseconds(200), .milliseconds(800)]) {
        // A refused connection fails at once; the retries below pace themselves.
        var configuration = HTTPTransport.configuration(connect: .seconds(10), read: .seconds(60))
        configuration.httpVersion = .http1Only
        self.http = HTTPTransport.client(configuration)
        self.credentials = credentials
        self.progress = progress
        self.retryDelays = retryDelays
    }

    /// Runs `body` with a client and shuts it down afterwards.
    package static func with<T: Sendable>(credentials: CredentialSource, progress: (@Sendable (String) -> Void)? = nil,
                                          _ body: (RegistryClient) async throws(ImageError) -> T) async throws(ImageError) -> T {
        let client = RegistryClient(credentials: credentials, progress: progress)
        let result: Result<T, ImageError>
        do { result = .success(try await body(client)) } catch { result = .failure(error) }
        await client.shutdown()
        return try result.get()
    }

    /// Closes the connections.
    package func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: Pull

    /// A manifest or index as the registry served it.
    package struct FetchedManifest: Sendable {
        /// The raw bytes (their digest is the manifest's identity).
        package var bytes: [UInt8]
        /// The digest of `bytes`.
        package var digest: ImageDigest
        /// The served content type.
        package var mediaType: String?
        /// The decoded document.
        package var document: ManifestDocument
    }

    /// Fetches the manifest `reference` names (by tag or digest).
    ///
    /// - Throws: `.notFound` when the registry has no such manifest,
    ///   `.invalidArgument` when a pinned digest does not match.
    package func manifest(_ reference: ImageReference) async throws(ImageError) -> FetchedManifest {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: MediaType.acceptedManifests.joined(separator: ", "))
        let url = baseURL(reference) + "/manifests/\(reference.manifestReference)"
        let response = try await send("GET", url, headers: headers, scope: pullScope(reference), what: "manifest \(reference)")
        guard response.status == .ok else { throw statusError(response, what: "manifest \(reference)") }
        let bytes = try await collect(response, limit: Self.documentLimit, what: "manifest \(reference)")
        let digest = ImageDigest(of: bytes)
        if let pinned = reference.digest { try pinned.verify(bytes, what: "manifest \(reference)") }
        let contentType = response.headers.first(name: "Content-Type")
        return FetchedManifest(bytes: bytes, digest: digest, mediaType: contentType,
                               document: try ManifestDocument(decoding: bytes, contentType: contentType))
    }

    /// Fetches the manifest `descriptor` names (an index entry) from
    /// `reference`'s repository by digest.
    package func manifest(_ descriptor: Descriptor, of reference: ImageReference) async throws(ImageError) -> [UInt8] {
        guard descriptor.size <= Self.documentLimit else {
            throw ImageError(.invalidArgument, "manifest \(descriptor.digest): size \(descriptor.size) exceeds the limit of \(Self.documentLimit) bytes")
        }
        let fetched = try await manifest(reference.pinned(to: descriptor.digest))
        return fetched.bytes
    }

    /// Fetches the blob `descriptor` names from `reference`'s repository and
    /// checks its size and digest.
    ///
    /// - Throws: `.invalidArgument` when the blob is larger than `limit` or
    ///   does not match the descriptor; `.notFound` when missing.
    package func blob(_ descriptor: Descriptor, from reference: ImageReference, limit: Int) async throws(ImageError) -> [UInt8] {
        let what = "blob \(descriptor.digest)"
        guard descriptor.size >= 0, descriptor.size <= limit else {
            throw ImageError(.invalidArgument, "\(what): size \(descriptor.size) exceeds the limit of \(limit) bytes")
        }
        let url = baseURL(reference) + "/blobs/\(descriptor.digest)"
        let response = try await send("GET", url, headers: HTTPHeaders(), scope: pullScope(reference), what: what)
        guard response.status == .ok else { throw statusError(response, what: what) }
        let bytes = try await collect(response, limit: descriptor.size, what: what, announce: descriptor.size >= 1 << 20)
        guard bytes.count == descriptor.size else {
            throw ImageError(.invalidArgument, "\(what): got \(bytes.count) bytes, the manifest says \(descriptor.size)")
        }
        try descriptor.digest.verify(bytes, what: what)
        return bytes
    }

    // MARK: Push

    /// Uploads `bytes` as a blob of `reference`'s repository unless the
    /// registry has it already, and returns its descriptor.
    package func push(blob bytes: [UInt8], mediaType: String, to reference: ImageReference) async throws(ImageError) -> Descriptor {
        let digest = ImageDigest(of: bytes)
        let descriptor = Descriptor(mediaType: mediaType, digest: digest, size: bytes.count)
        let scope = pushScope(reference)
        let head = try await send("HEAD", baseURL(reference) + "/blobs/\(digest)", headers: HTTPHeaders(), scope: scope, what: "blob \(digest)")
        if head.status == .ok { return descriptor }
        let start = try await send("POST", baseURL(reference) + "/blobs/uploads/", headers: HTTPHeaders(), scope: scope,
                                   what: "start upload of \(digest)")
        guard start.status == .accepted, let location = start.headers.first(name: "Location") else {
            throw statusError(start, what: "start upload of \(digest)")
        }
        var uploadURL = absolute(location, relativeTo: reference)
        uploadURL += (uploadURL.contains("?") ? "&" : "?") + "digest=\(digest)"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/octet-stream")
        let put = try await send("PUT", uploadURL, headers: headers, body: bytes, scope: scope, what: "upload \(digest)")
        guard put.status == .created else { throw statusError(put, what: "upload \(digest)") }
        return descriptor
    }

    /// Uploads a manifest or index under `tag` (or its own digest when nil)
    /// and returns its digest.
    package func push(manifest bytes: [UInt8], mediaType: String, to reference: ImageReference, tag: String?) async throws(ImageError) -> ImageDigest {
        let digest = ImageDigest(of: bytes)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: mediaType)
        let url = baseURL(reference) + "/manifests/\(tag ?? digest.description)"
        let response = try await send("PUT", url, headers: headers, body: bytes, scope: pushScope(reference), what: "manifest \(reference)")
        guard response.status == .created else { throw statusError(response, what: "push manifest \(reference)") }
        return digest
    }

    // MARK: Transport

    private func baseURL(_ reference: ImageReference) -> String {
        "\(reference.usesPlainHTTP ? "http" : "https")://\(reference.apiHost)/v2/\(reference.repository)"
    }

    private func absolute(_ location: String, relativeTo reference: ImageReference) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        return "\(reference.usesPlainHTTP ? "http" : "https")://\(reference.apiHost)\(location.hasPrefix("/") ? "" : "/")\(location)"
    }

    private func pullScope(_ reference: ImageReference) -> Scope {
        Scope(registry: reference.registry, value: "repository:\(reference.repository):pull")
    }

    private func pushScope(_ reference: ImageReference) -> Scope {
        Scope(registry: reference.registry, value: "repository:\(reference.repository):pull,push")
    }

    private struct Scope {
        var registry: String
        var value: String
        var key: String { registry + " " + value }
    }

    /// Sends one request: authorization, retries and redirects included.
    private func send(_ method: String, _ url: String, headers: HTTPHeaders, body: [UInt8]? = nil,
                      scope: Scope, what: String) async throws(ImageError) -> HTTPClientResponse {
        var target = url
        var authenticated = false
        for _ in 0..<8 {
            var request = HTTPClientRequest(url: target)
            request.method = HTTPMethod(rawValue: method)
            request.headers = headers
            request.headers.replaceOrAdd(name: "User-Agent", value: "bpfman")
            let sameHost = Self.host(of: target) == Self.host(of: url)
            if sameHost, let authorization = authorizations[scope.key] { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
            if let body { request.body = .bytes(body) }
            let response = try await executeWithRetries(request, what: what)
            switch response.status.code {
            case 401 where sameHost && !authenticated:
                authenticated = true
                try await authorize(challenge: response.headers.first(name: "WWW-Authenticate"), scope: scope, what: what)
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "Location") else { return response }
                target = location.hasPrefix("/") ? Self.origin(of: target) + location : location
            default:
                return response
            }
        }
        throw ImageError(.unavailable, "\(what): too many redirects or authentication rounds")
    }

    private func executeWithRetries(_ request: HTTPClientRequest, what: String) async throws(ImageError) -> HTTPClientResponse {
        var attempt = 0
        while true {
            let outcome: Result<HTTPClientResponse, any Error>
            do { outcome = .success(try await http.execute(request, timeout: .seconds(120))) } catch { outcome = .failure(error) }
            let retryable: Bool
            switch outcome {
            case .success(let response): retryable = response.status.code == 429 || response.status.code >= 500
            case .failure: retryable = true
            }
            if !retryable || attempt >= retryDelays.count {
                switch outcome {
                case .success(let response): return response
                case .failure(let error):
                    throw ImageError(.unavailable, "\(what): \(request.method.rawValue) \(request.url): \(HTTPFailure(error))")
                }
            }
            if case .success(let response) = outcome { _ = try? await response.body.collect(upTo: 1 << 20) }
            try? await Task.sleep(for: retryDelays[attempt])
            attempt += 1
        }
    }

    private func authorize(challenge: String?, scope: Scope, what: String) async throws(ImageError) {
        guard let challenge, let parsed = AuthChallenge(parsing: challenge) else {
            throw ImageError(.permissionDenied, "\(what): unauthorized, and the registry named no way to authenticate")
        }
        let credential = try credentials.credential(for: scope.registry)
        switch parsed.scheme {
        case "basic":
            guard let credential else {
                throw ImageError(.permissionDenied, "\(what): the registry \(scope.registry) requires credentials (--registry-auth or an auth file)")
            }
            authorizations[scope.key] = credential.basicAuthorization
        case "bearer":
            guard let realm = parsed.parameters["realm"] else {
                throw ImageError(.permissionDenied, "\(what): bearer challenge without a realm")
            }
            var components = URLComponents(string: realm)
            var query = components?.queryItems ?? []
            if let service = parsed.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
            query.append(URLQueryItem(name: "scope", value: parsed.parameters["scope"] ?? scope.value))
            components?.queryItems = query
            guard let tokenURL = components?.string else { throw ImageError(.permissionDenied, "\(what): bad token realm \(realm)") }
            var request = HTTPClientRequest(url: tokenURL)
            request.headers.add(name: "User-Agent", value: "bpfman")
            if let credential { request.headers.add(name: "Authorization", value: credential.basicAuthorization) }
            let response = try await executeWithRetries(request, what: "token for \(scope.registry)")
            guard response.status == .ok else {
                throw ImageError(.permissionDenied, "\(what): token request to \(realm) answered \(response.status.code)")
            }
            let body = try await collect(response, limit: 1 << 20, what: "token for \(scope.registry)")
            struct Token: Decodable { var token: String?; var access_token: String? }
            guard let token = try? JSONDecoder().decode(Token.self, from: Data(body)), let value = token.token ?? token.access_token else {
                throw ImageError(.permissionDenied, "\(what): the token endpoint \(realm) returned no token")
            }
            authorizations[scope.key] = "Bearer " + value
        default:
            throw ImageError(.unsupported, "\(what): unsupported authentication scheme \(parsed.scheme)")
        }
    }

    private func collect(_ response: HTTPClientResponse, limit: Int, what: String, announce: Bool = false) async throws(ImageError) -> [UInt8] {
        var bytes: [UInt8] = []
        let expected = response.headers.first(name: "Content-Length").flatMap(Int.init)
        if let expected, expected > limit {
            throw ImageError(.invalidArgument, "\(what): \(expected) bytes exceed the limit of \(limit)")
        }
        bytes.reserveCapacity(min(expected ?? 0, limit))
        let clock = ContinuousClock()
        var lastReport = clock.now
        do {
            for try await buffer in response.body {
                guard bytes.count + buffer.readableBytes <= limit else {
                    throw ImageError(.invalidArgument, "\(what): more than \(limit) bytes")
                }
                bytes += buffer.readableBytesView
                if announce, let progress, clock.now - lastReport >= .seconds(1) {
                    lastReport = clock.now
                    progress("pulling \(what): \(bytes.count / 1024) KiB of \((expected ?? limit) / 1024) KiB")
                }
            }
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(.unavailable, "\(what): read body: \(HTTPFailure(error))")
        }
        if announce, let progress { progress("pulled \(what): \(bytes.count / 1024) KiB") }
        return bytes
    }

    private func statusError(_ response: HTTPClientResponse, what: String) -> ImageError {
        return ImageError(ErrorCode(httpStatus: Int(response.status.code)), "\(what): registry answered \(response.status.code) \(response.status.reasonPhrase)")
    }

    private static func host(of url: String) -> Substring {
        let rest = url.drop { $0 != "/" }.dropFirst(2)
        return rest.prefix { $0 != "/" }
    }

    private static func origin(of url: String) -> String {
        let scheme = url.prefix { $0 != ":" }
        return "\(scheme)://\(host(of: url))"
    }
}

/// A `WWW-Authenticate` challenge: scheme and parameters.
package struct AuthChallenge: Sendable, Equatable {
    /// `basic` or `bearer` (lowercased).
    package var scheme: String
    /// `realm`, `service`, `scope`, ...
    package var parameters: [String: String]

    /// Parses `Scheme k="v",k2="v2"`; nil when there is no scheme.
    package init?(parsing header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        scheme = trimmed[..<space].lowercased()
        parameters = [:]
        var rest = trimmed[space...].drop { $0 == " " }
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    if character == "\\" { rest = rest.dropFirst() }
                    if let next = rest.first { value.append(next) }
                    rest = rest.dropFirst()
                }
                rest = rest.dropFirst()
            } else {
                value = String(rest.prefix { $0 != "," })
                rest = rest.drop { $0 != "," }
            }
            parameters[key] = value
            rest = rest.drop { $0 == "," || $0 == " " }
        }
    }
}
