import Diagnostics
import Foundation
import LinuxSys

/// The Docker Engine API, as Docker and podman (`podman system service`)
/// serve it on a unix socket: list containers, inspect for `State.Pid`.
package struct EngineAPIClient: Sendable {
    /// Which runtime this is, for reporting.
    package var kind: RuntimeKind
    /// The API socket.
    package var socketPath: String
    private var http: UnixHTTPClient { UnixHTTPClient(socketPath: socketPath) }

    /// The well-known socket of `kind` (podman's rootful socket, Docker's).
    package static func defaultSocket(_ kind: RuntimeKind) -> String {
        kind == .podman ? "/run/podman/podman.sock" : "/var/run/docker.sock"
    }

    /// A client for `kind` on `socketPath` (its default socket when nil).
    package init(kind: RuntimeKind, socketPath: String? = nil) {
        self.kind = kind
        self.socketPath = socketPath ?? Self.defaultSocket(kind)
    }

    /// Running containers with their host PIDs: one list call, one inspect
    /// per container (the list does not carry the PID).
    package func containers() throws(RuntimeError) -> [ContainerInfo] {
        let list = try json(get("/v1.41/containers/json"), what: "list containers")
        guard let items = list as? [[String: Any]] else { throw RuntimeError(.internal, "\(kind.rawValue): list containers: unexpected response") }
        var result: [ContainerInfo] = []
        for item in items {
            guard let id = item["Id"] as? String else { continue }
            do {
                result.append(try inspect(id))
            } catch where error.code == .notFound {
                continue // gone between list and inspect
            }
        }
        return result
    }

    /// One container by id or name.
    ///
    /// - Throws: `.notFound` for an unknown container.
    package func inspect(_ idOrName: String) throws(RuntimeError) -> ContainerInfo {
        let response = try get("/v1.41/containers/\(idOrName)/json")
        if response.status == 404 { throw RuntimeError(.notFound, "\(kind.rawValue): container \(idOrName) not found") }
        guard let object = try json(response, what: "inspect \(idOrName)") as? [String: Any] else {
            throw RuntimeError(.internal, "\(kind.rawValue): inspect \(idOrName): unexpected response")
        }
        let state = object["State"] as? [String: Any] ?? [:]
        let pid = (state["Pid"] as? NSNumber)?.int32Value ?? 0
        let name = (object["Name"] as? String ?? idOrName).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return ContainerInfo(runtime: kind, id: object["Id"] as? String ?? idOrName, name: name, pid: pid,
                             pidNamespace: PIDNamespaceInode.of(pid: pid))
    }

    private func get(_ path: String) throws(RuntimeError) -> UnixHTTPClient.Response {
        do { return try http.get(path) } catch {
            throw RuntimeError(error.code, "\(kind.rawValue): \(error.message)")
        }
    }

    private func json(_ response: UnixHTTPClient.Response, what: String) throws(RuntimeError) -> Any {
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
    static func of(pid: Int32) -> UInt64 {
        guard pid > 0 else { return 0 }
        return (try? Namespace.inode("/proc/\(pid)/ns/pid")) ?? 0
    }
}
