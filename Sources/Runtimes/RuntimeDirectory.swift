import Diagnostics

/// Lists containers from one runtime by kind.
package enum RuntimeDirectory {
    /// The running containers `kind` reports, through `socket` or its default one.
    package static func containers(_ kind: RuntimeKind, socket: String? = nil) throws(RuntimeError) -> [ContainerInfo] {
        switch kind {
        case .podman, .docker:
            return try EngineAPIClient(kind: kind, socketPath: socket).containers()
        case .cri:
            return try Blocking.run { () async throws(RuntimeError) in
                try await CRIClient.discover(explicit: socket).containers().containers
            }
        }
    }
}
