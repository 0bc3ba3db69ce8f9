import ArgumentParser
import Manager
import Server

/// `bpfman serve [--socket-path P] [--csi-support]` (hidden): the gRPC API.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the bpfman.v1 gRPC API.", shouldDisplay: false)

    @Option(name: .customLong("socket-path"), help: "The unix socket to listen on.")
    var socketPath: String?

    @Flag(name: .customLong("csi-support"), help: "Accepted for compatibility; the CSI driver is not provided.")
    var csiSupport = false

    func run() throws {
        let path = socketPath ?? Environment()["BPFMAN_SOCKET_PATH"] ?? BpfmanServer.defaultSocketPath
        let manager = try CLIContext.manager(longLived: true)
        try BpfmanServer.run(manager: manager, socketPath: path) { ready in
            CLIContext.writeError("bpfman: serving bpfman.v1 on \(ready)")
        }
    }
}
