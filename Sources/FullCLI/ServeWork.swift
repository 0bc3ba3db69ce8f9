import CLI
import Manager
import Metrics
import Server

extension ServeCommand: FullCommandWork {
    /// Serves the gRPC API, and metrics when asked, until SIGINT or SIGTERM.
    package func perform() throws {
        let path = socketPath ?? Environment()["BPFMAN_SOCKET_PATH"] ?? BpfmanServer.defaultSocketPath
        let metrics = try metricsAddress.map { text throws(ManagerError) in try MetricsAddress(parsing: text) }
        let manager = try CLIContext.manager(longLived: true)
        try BpfmanServer.run(manager: manager, socketPath: path, metricsAddress: metrics, onMetricsReady: { address in
            CLIContext.writeError("bpfman: serving metrics on http://\(address)/metrics")
        }) { ready in
            CLIContext.writeError("bpfman: serving bpfman.v1 on \(ready)")
        }
    }
}
