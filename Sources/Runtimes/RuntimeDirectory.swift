import Diagnostics
import Execution

/// Lists containers from one runtime by kind.
package enum RuntimeDirectory {
    /// The running containers `kind` reports, through `socket` or its default one.
    package static func containers(_ kind: RuntimeKind, socket: String? = nil) throws(RuntimeError) -> [ContainerInfo] {
        try Blocking.run { () async throws(RuntimeError) in
            switch kind {
            case .podman, .docker: try await EngineAPIClient(kind: kind, socketPath: socket).containers()
            case .cri: try await CRIClient.discover(explicit: socket).containers().containers
            }
        }
    }
}
