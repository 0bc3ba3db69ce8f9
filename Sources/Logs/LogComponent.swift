/// bpfman's parts that log, each with its own logger and level
/// (`--log=warn,manager=debug`).
package enum LogComponent: String, CaseIterable, Sendable {
    /// Loads, attaches, detaches and unloads; the writer lock.
    case manager
    /// The state database.
    case store
    /// Crash repair under the writer lock.
    case repair
    /// The bpfman.v1 gRPC server (`bpfman serve`).
    case server
    /// The Kubernetes node agent (`bpfman-agent`).
    case agent
    /// Container runtime clients (CRI, podman, Docker).
    case runtime
    /// Bytecode images: pulls, the cache, signatures.
    case image
    /// The `bpfman-ns` namespace helper, as its parent sees it.
    case helper
}

/// The metadata keys bpfman's log lines use, so that one id is always
/// spelled the same way (`program_id=12`).
package enum LogKey {
    /// A kernel program id.
    package static let programID = "program_id"
    /// A bpfman link id.
    package static let linkID = "link_id"
    /// A container id.
    package static let containerID = "container_id"
    /// A host process id.
    package static let pid = "pid"
    /// A file or pin path.
    package static let path = "path"
    /// The error a line reports.
    package static let error = "error"
    /// The component a logger belongs to; its level decides what is logged.
    package static let component = "component"
}
