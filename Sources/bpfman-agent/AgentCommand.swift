import Agent
import ArgumentParser
import Dispatch
import Foundation
import Glibc
import Kubernetes
import Logs
import Manager
import Metrics

/// `bpfman-agent`: reconciles bpfman's Kubernetes resources on this node.
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bpfman-agent",
                                                    abstract: "Reconcile UprobeProgram resources on this node.")

    @Option(name: .customLong("node-name"), help: "This node's name (default $NODE_NAME).")
    var nodeName: String?

    @Option(name: .customLong("kubeconfig"), help: "A kubeconfig (default $KUBECONFIG, then the pod's service account, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .customLong("runtime-dir"), help: "bpfman's runtime directory (default $BPFMAN_RUNTIME_DIR or /run/bpfman).")
    var runtimeDirectory: String?

    @Option(name: .customLong("image-cache-dir"), help: "The image cache.")
    var imageCacheDirectory = "/var/cache/bpfman"

    @Option(name: .customLong("runtime-endpoint"), help: "The CRI endpoint (default $CONTAINER_RUNTIME_ENDPOINT, then discovery).")
    var runtimeEndpoint: String?

    @Option(name: .customLong("resync"), help: "Seconds between full reconciles.")
    var resync: Double = 10

    @Option(name: .customLong("log"), help: "Log level[,component=level…] (default $BPFMAN_LOG, then info).")
    var log: String?

    @Option(name: .customLong("metrics-address"), help: "Serve Prometheus metrics on HOST:PORT at /metrics (default: none).")
    var metricsAddress: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logSpec = log ?? environment["BPFMAN_LOG"] ?? ""
        do {
            Log.bootstrap(spec: try LogSpec(parsing: logSpec.isEmpty ? "info" : logSpec))
        } catch {
            throw ManagerError(.invalidArgument, "create logger: invalid log spec: \(error.message)")
        }
        guard let node = nodeName ?? environment["NODE_NAME"], !node.isEmpty else {
            throw ValidationError("missing --node-name (or $NODE_NAME)")
        }
        let kube = try KubeConfig.resolve(explicitPath: kubeconfig)
        // bpfman-ns beside this executable: argv[0] is a bare name when a
        // shell or the container runtime found the agent through PATH.
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let helper = URL(fileURLWithPath: executable).deletingLastPathComponent().path + "/bpfman-ns"
        let manager = ManagerConfiguration(runtimeDirectory: runtimeDirectory ?? environment["BPFMAN_RUNTIME_DIR"] ?? "/run/bpfman",
                                           namespaceHelperPath: environment["BPFMAN_NS_BIN"] ?? helper,
                                           images: ImageSettings(cacheDirectory: imageCacheDirectory), longLived: true)
        let configuration = AgentConfiguration(nodeName: node, kube: kube, manager: manager,
                                               runtimeEndpoint: runtimeEndpoint ?? environment["CONTAINER_RUNTIME_ENDPOINT"],
                                               resyncInterval: resync, metricsAddress: try metricsAddress.map(MetricsAddress.init(parsing:)))
        let task = Task { try await Agent.run(configuration) { line in FileHandle.standardError.write(Data("bpfman-agent: \(line)\n".utf8)) } }
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        try await task.value
    }
}
