import Model

/// The container runtimes bpfman can ask for host PIDs.
package enum RuntimeKind: String, Sendable, CaseIterable, Codable {
    /// A CRI runtime (containerd, CRI-O) over gRPC.
    case cri
    /// podman's Docker-compatible API.
    case podman
    /// The Docker Engine API.
    case docker
}

/// A running container and its host PID, as its runtime reports it.
package struct ContainerInfo: Sendable, Equatable {
    /// The runtime that reported it.
    package var runtime: RuntimeKind
    /// The runtime's container id.
    package var id: String
    /// The container name (in Kubernetes, the name in the pod spec).
    package var name: String
    /// The pod name, empty outside Kubernetes.
    package var pod: String
    /// The pod namespace, empty outside Kubernetes.
    package var namespace: String
    /// The pod's labels, empty outside Kubernetes.
    package var podLabels: [String: String]
    /// The host PID of the container's init process, 0 when not running.
    package var pid: HostPID
    /// The inode of the PID namespace of `pid`, 0 when unknown.
    package var pidNamespace: UInt64

    /// Creates a container description.
    package init(runtime: RuntimeKind, id: String, name: String, pod: String = "", namespace: String = "",
                 podLabels: [String: String] = [:], pid: HostPID, pidNamespace: UInt64 = 0) {
        self.runtime = runtime
        self.id = id
        self.name = name
        self.pod = pod
        self.namespace = namespace
        self.podLabels = podLabels
        self.pid = pid
        self.pidNamespace = pidNamespace
    }
}
