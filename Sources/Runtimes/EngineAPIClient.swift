import AsyncHTTPClient
import Diagnostics
import Foundation
import HTTPTransport
import LinuxSys
import Model
import NIOCore

/// The Docker Engine API, as Docker and podman (`podman system service`)
/// serve it on a unix socket: list containers, inspect for `State.Pid`.
package struct EngineAPIClient: Sendable {
    /// Which runtime this is, for reporting.
    package var kind: RuntimeKind
    /// The API socket.
    package var socketPath: String
    /// Seconds to wait for the connection, and for each part of a response.
    package var timeout: Double

    /// The most a response body may weigh.
    static let bodyLimit = 64 << 20

    /// The well-known socket of `kind` (podman's rootful socket, Docker's).
    package static func defaultSocket(_ kind: RuntimeKind) -> String {
        kind == .podman ? "/run/podman/podman.sock" : "/var/run/docker.sock"
    }

    /// A client for `kind` on `socketPath` (its default socket when nil).
    package init(kind: RuntimeKind, socketPath: String? = nil, timeout: Double = 5) {
        self.kind = kind
        self.socketPath = socketPath ?? Self.defaultSocket(kind)
        self.timeout = timeout
    }

    /// Running containers with their host PIDs: one list call, one inspect
    /// per container (the list does not carry the PID), over one client.
    package func containers() async throws(RuntimeError) -> [ContainerInfo] {
        try await session { http throws(RuntimeError) in
            let list = try json(await get("/v1.41/containers/json", on: http), what: "list containers")
            guard let items = list as? [[String: Any]] else { throw RuntimeError(.internal, "\(kind.rawValue): list containers: unexpected response") }
            var result: [ContainerInfo] = []
            for id in items.compactMap({ $0["Id"] as? String }) {
                do throws(RuntimeError) {
                    result.append(try await inspect(id, on: http))
                } catch where error.code == .notFound {
                    continue // gone between list and inspect
                }
            }
            return result
        }
    }

    /// One container by id or name.
    ///
    /// - Throws: `.notFound` for an unknown container.
    package func inspect(_ idOrName: String) async throws(RuntimeError) -> ContainerInfo {
        try await session { http throws(RuntimeError) in try await inspect(idOrName, on: http) }
    }

    private func inspect(_ idOrName: String, on http: HTTPClient) async throws(RuntimeError) -> ContainerInfo {
        let response = try await get("/v1.41/containers/\(idOrName)/json", on: http)
        if response.status == 404 { throw RuntimeError(.notFound, "\(kind.rawValue): container \(idOrName) not found") }
        guard let object = try json(response, what: "inspect \(idOrName)") as? [String: Any] else {
            throw RuntimeError(.internal, "\(kind.rawValue): inspect \(idOrName): unexpected response")
        }
        let state = object["State"] as? [String: Any] ?? [:]
        let pid = HostPID((state["Pid"] as? NSNumber)?.int32Value ?? 0)
        let name = (object["Name"] as? String ?? idOrName).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return ContainerInfo(runtime: kind, id: object["Id"] as? String ?? idOrName, name: name, pid: pid,
                             pidNamespace: PIDNamespaceInode.of(pid: pid))
    }

    // MARK: Transport

    /// Runs `body` with a client whose connect and read timeouts are `timeout`.
    private func session<T>(_ body: (HTTPClient) async throws(RuntimeError) -> T) async throws(RuntimeError) -> T {
        let wait = TimeAmount.nanoseconds(Int64(timeout * 1e9))
        var configuration = HTTPTransport.configuration(connect: wait, read: wait)
        configuration.httpVersion = .http1Only
        return try await HTTPTransport.withClient(configuration, body)
    }

    /// `GET path`: the status and the whole body.
    private func get(_ path: String, on http: HTTPClient) async throws(RuntimeError) -> (status: Int, body: Data) {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw RuntimeError(.invalidArgument, "\(kind.rawValue): \(socketPath): not a usable socket path")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        // HTTP/1.1 requires a Host; a unix-socket URL names none.
        request.headers.add(name: "Host", value: "localhost")
        request.headers.add(name: "User-Agent", value: "bpfman")
        do {
            // The connection and the response head, each bounded by `timeout`.
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(2 * timeout * 1e9)))
            let body = try await response.body.collect(upTo: Self.bodyLimit)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch {
            throw failure(HTTPFailure(error))
        }
    }

    /// The runtime error for a failed exchange, naming the runtime and its socket.
    private func failure(_ failure: HTTPFailure) -> RuntimeError {
        let (code, message): (ErrorCode, String) = switch failure {
        case .system(errno: ENOENT): (.unavailable, "connect: socket does not exist")
        case .system(errno: EACCES), .system(errno: EPERM): (.permissionDenied, "connect: permission denied")
        case .system(errno: ECONNREFUSED): (.unavailable, "connect: connection refused (is the runtime running?)")
        case .system, .other: (.unavailable, "\(failure)")
        case .invalidAddress: (.invalidArgument, "\(failure)")
        case .timedOut: (.unavailable, "no answer within \(timeout)s (\(failure))")
        case .malformedResponse: (.internal, "read response: \(failure)")
        case .tooLarge: (.internal, "read response: larger than \(Self.bodyLimit >> 20) MiB")
        }
        return RuntimeError(code, "\(kind.rawValue): \(socketPath): \(message)")
    }

    private func json(_ response: (status: Int, body: Data), what: String) throws(RuntimeError) -> Any {
        guard (200..<300).contains(response.status) else {
            throw RuntimeError(.internal, "\(kind.rawValue): \(what): HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        do { return try JSONSerialization.jsonObject(with: response.body) } catch {
            throw RuntimeError(.internal, "\(kind.rawValue): \(what): invalid JSON")
        }
    }
}

/// The PID-namespace inode of a host process.
enum PIDNamespaceInode {
    /// The inode of `/proc/<pid>/ns/pid`, 0 when unreadable.
    static func of(pid: HostPID) -> UInt64 {
        guard pid.rawValue > 0 else { return 0 }
        return (try? Namespace.inode("/proc/\(pid)/ns/pid")) ?? 0
    }
}
