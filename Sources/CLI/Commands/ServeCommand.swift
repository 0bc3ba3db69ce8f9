import ArgumentParser

/// `bpfman serve [--socket-path P] [--metrics-address HOST:PORT] [--csi-support]` (hidden): the gRPC API.
package struct ServeCommand: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the bpfman.v1 gRPC API.", shouldDisplay: false)

    @Option(name: .customLong("socket-path"), help: "The unix socket to listen on.")
    package var socketPath: String?

    @Option(name: .customLong("metrics-address"), help: "Serve Prometheus metrics on http://HOST:PORT/metrics (off unless given).")
    package var metricsAddress: String?

    @Flag(name: .customLong("csi-support"), help: "Accepted for compatibility; the CSI driver is not provided.")
    package var csiSupport = false

    package init() {}
}
