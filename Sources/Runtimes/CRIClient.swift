import CRIProto
import Diagnostics
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import LinuxSys
import Model

/// A CRI v1 (`runtime.v1.RuntimeService`) client over the runtime's unix
/// socket, for finding containers' host PIDs.
package struct CRIClient: Sendable {
    /// Sockets tried, in order, when no endpoint is configured.
    package static let wellKnownSockets = ["/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock"]

    /// The socket path.
    package var socketPath: String
    /// Seconds each call may take.
    package var timeout: Double

    /// A client for `socketPath`.
    package init(socketPath: String, timeout: Double = 5) {
        self.socketPath = socketPath
        self.timeout = timeout
    }

    /// The endpoint to use: `explicit`, else `CONTAINER_RUNTIME_ENDPOINT`,
    /// else the first well-known socket that answers `Version`.
    ///
    /// - Throws: `.unavailable` naming what was tried.
    package static func discover(explicit: String? = nil, timeout: Double = 2) async throws(RuntimeError) -> CRIClient {
        if let explicit, !explicit.isEmpty { return CRIClient(socketPath: path(of: explicit), timeout: timeout) }
        if let endpoint = ProcessInfo.processInfo.environment["CONTAINER_RUNTIME_ENDPOINT"], !endpoint.isEmpty {
            return CRIClient(socketPath: path(of: endpoint), timeout: timeout)
        }
        for socket in wellKnownSockets where FileManager.default.fileExists(atPath: socket) {
            let client = CRIClient(socketPath: socket, timeout: timeout)
            if (try? await client.version()) != nil { return client }
        }
        throw RuntimeError(.unavailable, "cri: no runtime answered (tried CONTAINER_RUNTIME_ENDPOINT and \(wellKnownSockets.joined(separator: ", ")))")
    }

    /// `unix:///path` or `/path` → `/path`.
    static func path(of endpoint: String) -> String {
        endpoint.hasPrefix("unix://") ? String(endpoint.dropFirst("unix://".count)) : endpoint
    }

    /// The runtime's name and version.
    package func version() async throws(RuntimeError) -> String {
        try await session { client in
            let response = try await client.version(Runtime_V1_VersionRequest(), options: options)
            return "\(response.runtimeName) \(response.runtimeVersion)"
        }
    }

    /// Running containers, with pod name, namespace and labels, and host
    /// PIDs: one ListPodSandbox, one ListContainers, and one verbose
    /// ContainerStatus per container that `selector` matches, all over one
    /// connection. A container that disappears between the list and its
    /// status is skipped.
    package func containers(matching selector: ContainerSelector? = nil) async throws(RuntimeError) -> (containers: [ContainerInfo], calls: Int) {
        try await session { client in
            var podFilter = Runtime_V1_ListPodSandboxRequest()
            podFilter.filter.state.state = .sandboxReady
            let pods = try await client.listPodSandbox(podFilter, options: options).items
            var containerFilter = Runtime_V1_ListContainersRequest()
            containerFilter.filter.state.state = .containerRunning
            let containers = try await client.listContainers(containerFilter, options: options).containers
            var calls = 2
            let podsByID = Dictionary(pods.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var result: [ContainerInfo] = []
            for container in containers {
                let pod = podsByID[container.podSandboxID]
                let namespace = pod?.metadata.namespace ?? container.labels["io.kubernetes.pod.namespace"] ?? ""
                let labels = pod?.labels ?? [:]
                let name = container.metadata.name
                if let selector, !selector.matches(namespace: namespace, labels: labels, name: name) { continue }
                var statusRequest = Runtime_V1_ContainerStatusRequest()
                statusRequest.containerID = container.id
                statusRequest.verbose = true
                calls += 1
                let status: Runtime_V1_ContainerStatusResponse
                do {
                    status = try await client.containerStatus(statusRequest, options: options)
                } catch let error as RPCError where error.code == .notFound {
                    continue
                }
                guard let pid = Self.hostPID(status.info), pid.rawValue > 0 else { continue }
                result.append(ContainerInfo(runtime: .cri, id: container.id, name: name,
                                            pod: pod?.metadata.name ?? container.labels["io.kubernetes.pod.name"] ?? "",
                                            namespace: namespace, podLabels: labels, pid: pid,
                                            pidNamespace: (try? Namespace.inode("/proc/\(pid)/ns/pid")) ?? 0))
            }
            return (result, calls)
        }
    }

    /// The host PID in a verbose status `info`: containerd puts a JSON
    /// document under "info" with a top-level "pid"; older runtimes put
    /// "pid" in the map itself.
    package static func hostPID(_ info: [String: String]) -> HostPID? {
        if let json = info["info"], let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
           let pid = (object["pid"] as? NSNumber)?.int32Value {
            return HostPID(pid)
        }
        return info["pid"].flatMap { Int32($0) }.map { HostPID($0) }
    }

    private var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = .milliseconds(Int64(timeout * 1000))
        return options
    }

    /// Runs `body` over one connection, mapping failures to runtime errors.
    private func session<T: Sendable>(_ body: @Sendable (Runtime_V1_RuntimeService.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws(RuntimeError) -> T {
        guard FileManager.default.fileExists(atPath: socketPath) else {
            throw RuntimeError(.unavailable, "cri: \(socketPath): socket does not exist")
        }
        guard access(socketPath, R_OK | W_OK) == 0 else {
            throw RuntimeError(.permissionDenied, "cri: \(socketPath): permission denied")
        }
        do {
            let transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: socketPath), transportSecurity: .plaintext)
            return try await withGRPCClient(transport: transport) { client in
                try await body(Runtime_V1_RuntimeService.Client(wrapping: client))
            }
        } catch let error as RPCError {
            let code: ErrorCode = switch error.code {
            case .unavailable, .deadlineExceeded: .unavailable
            case .notFound: .notFound
            case .permissionDenied: .permissionDenied
            case .unimplemented: .unsupported
            default: .internal
            }
            throw RuntimeError(code, "cri: \(socketPath): \(error.code): \(error.message)")
        } catch {
            throw RuntimeError(.unavailable, "cri: \(socketPath): \(error)")
        }
    }
}
