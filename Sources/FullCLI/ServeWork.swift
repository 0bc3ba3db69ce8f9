import CLI
import Server

extension ServeCommand: FullCommandWork {
    /// Serves the gRPC API until SIGINT or SIGTERM.
    package func perform() throws {
        let path = socketPath ?? Environment()["BPFMAN_SOCKET_PATH"] ?? BpfmanServer.defaultSocketPath
        let manager = try CLIContext.manager(longLived: true)
        try BpfmanServer.run(manager: manager, socketPath: path) { ready in
            CLIContext.writeError("bpfman: serving bpfman.v1 on \(ready)")
        }
    }
}
