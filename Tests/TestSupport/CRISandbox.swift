import CRIProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// A private containerd with CRI (scripts/containerd-sandbox.sh) and a CRI
/// client to make real host-network pods with it.
package final class CRISandbox: @unchecked Sendable {
    /// The sandbox directory.
    package let directory: String
    /// The image every pod and container runs.
    package let image = "localhost/bpfman-test:latest"
    /// The CRI socket.
    package var socket: String { directory + "/containerd.sock" }
    private let script = TestEnvironment.repoRoot + "/scripts/containerd-sandbox.sh"

    /// Starts containerd and imports `rootfs` as ``image``.
    package init(rootfs: ContainerRootfs) throws {
        directory = "/tmp/bpfman-cri-" + UUID().uuidString.prefix(8).lowercased()
        let result = Command.run(script, ["start", directory, rootfs.path, image])
        guard result.status == 0 else {
            Command.run(script, ["stop", directory])
            throw FixtureError("containerd: \(result.stderr)")
        }
    }

    /// Stops containerd and removes everything it made.
    package func tearDown() { Command.run(script, ["stop", directory]) }

    /// Runs `body` with a CRI client.
    package func withClient<T: Sendable>(_ body: @Sendable (Runtime_V1_RuntimeService.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await withGRPCClient(transport: .http2NIOPosix(target: .unixDomainSocket(path: socket), transportSecurity: .plaintext)) { client in
            try await body(Runtime_V1_RuntimeService.Client(wrapping: client))
        }
    }

    /// A container to create in a pod: its name and command.
    package struct ContainerSpec: Sendable {
        package var name: String
        package var command: [String]
        package init(name: String, command: [String]) { self.name = name; self.command = command }
    }

    /// Creates a host-network pod with `labels` in `namespace` and starts its
    /// containers. Returns the container ids by name.
    package func runPod(name: String, namespace: String, labels: [String: String], containers: [ContainerSpec]) async throws -> [String: String] {
        let image = self.image
        return try await withClient { client in
            var config = Runtime_V1_PodSandboxConfig()
            config.metadata.name = name
            config.metadata.namespace = namespace
            config.metadata.uid = UUID().uuidString
            config.labels = labels
            config.linux.securityContext.namespaceOptions.network = .node
            var run = Runtime_V1_RunPodSandboxRequest()
            run.config = config
            let podID = try await client.runPodSandbox(run).podSandboxID
            var ids: [String: String] = [:]
            for spec in containers {
                var create = Runtime_V1_CreateContainerRequest()
                create.podSandboxID = podID
                create.config.metadata.name = spec.name
                create.config.image.image = image
                create.config.command = spec.command
                create.config.labels = ["io.kubernetes.container.name": spec.name]
                create.sandboxConfig = config
                let id = try await client.createContainer(create).containerID
                var start = Runtime_V1_StartContainerRequest()
                start.containerID = id
                _ = try await client.startContainer(start)
                ids[spec.name] = id
            }
            return ids
        }
    }

    /// Stops and removes the pod whose container `containerID` runs in.
    package func removePod(of containerID: String) async throws {
        try await withClient { client in
            var list = Runtime_V1_ListContainersRequest()
            list.filter.id = containerID
            let pod = try await client.listContainers(list).containers.first?.podSandboxID ?? ""
            var stop = Runtime_V1_StopPodSandboxRequest()
            stop.podSandboxID = pod
            _ = try await client.stopPodSandbox(stop)
            var remove = Runtime_V1_RemovePodSandboxRequest()
            remove.podSandboxID = pod
            _ = try await client.removePodSandbox(remove)
        }
    }

    /// The host PID the runtime reports for container `id`.
    package func pid(of id: String) async throws -> Int32 {
        try await withClient { client in
            var request = Runtime_V1_ContainerStatusRequest()
            request.containerID = id
            request.verbose = true
            let info = try await client.containerStatus(request).info["info"] ?? "{}"
            let object = try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any]
            return (object?["pid"] as? NSNumber)?.int32Value ?? 0
        }
    }
}
