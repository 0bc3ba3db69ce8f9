import Synchronization
import Foundation
import Kubernetes
import Manager
import Metrics

/// How the agent runs.
package struct AgentConfiguration: Sendable {
    /// This node's name (`NODE_NAME`).
    package var nodeName: String
    /// The API server.
    package var kube: KubeConfig
    /// The manager's runtime directory and image settings.
    package var manager: ManagerConfiguration
    /// The CRI endpoint, or nil to discover it.
    package var runtimeEndpoint: String?
    /// Seconds between full reconciles when nothing changes (catches
    /// containers that restart without a pod change).
    package var resyncInterval: Double
    /// Where to serve Prometheus metrics; nil serves none.
    package var metricsAddress: MetricsAddress?

    /// Creates a configuration.
    package init(nodeName: String, kube: KubeConfig, manager: ManagerConfiguration, runtimeEndpoint: String?, resyncInterval: Double = 10,
                 metricsAddress: MetricsAddress? = nil) {
        self.nodeName = nodeName
        self.kube = kube
        self.manager = manager
        self.runtimeEndpoint = runtimeEndpoint
        self.resyncInterval = resyncInterval
        self.metricsAddress = metricsAddress
    }
}

/// The node agent: watches the `UprobeProgram`, `ClusterBpfApplication` and
/// `BpfApplication` resources, this node's pods
/// (`fieldSelector=spec.nodeName=<node>`) and this node's labels, and
/// reconciles after every change and every resync interval.
package enum Agent {
    /// Runs until the task is cancelled.
    ///
    /// With a metrics address, serves there what `bpfman serve` serves of
    /// the kernel's objects and the manager's work (lock waits, repairs),
    /// and the reconcile loop's passes and results.
    /// - Parameter log: receives one line per notable event.
    package static func run(_ configuration: AgentConfiguration, log: @escaping @Sendable (String) -> Void) async throws {
        let manager = try Manager(configuration: configuration.manager)
        let client = try KubeClient(config: configuration.kube)
        let node = configuration.nodeName
        let managerMetrics = ManagerMetrics()
        let reconcileMetrics = ReconcileMetrics()
        manager.observe(with: managerMetrics)
        let reconciler = Reconciler(node: node, manager: manager, client: client, runtimeEndpoint: configuration.runtimeEndpoint,
                                    metrics: reconcileMetrics)
        let endpoint = try configuration.metricsAddress.map { address in
            try MetricsEndpoint(address: address) { [manager] in
                let inventory = try await reconciler.read { try manager.metricsInventory() }
                var text = PrometheusText()
                InventoryMetrics.write(inventory, to: &text)
                managerMetrics.write(to: &text)
                reconcileMetrics.write(to: &text)
                return text.output
            }
        }
        defer { endpoint?.close() }
        if let endpoint { log("serving metrics on http://\(endpoint.boundAddress)/metrics") }
        let dirty = DirtyFlag()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await Informer<UprobeProgram>(client: client, resource: UprobeProgram.resource).run { objects in
                    await reconciler.update(uprobePrograms: objects)
                    dirty.set()
                } failed: { error in
                    log("watch uprobeprograms: \(error.message)")
                }
            }
            for namespaced in [false, true] {
                let resource = namespaced ? BpfApplication.namespacedResource : BpfApplication.clusterResource
                group.addTask {
                    await Informer<BpfApplication>(client: client, resource: resource).run { objects in
                        await reconciler.update(applications: objects, namespaced: namespaced)
                        dirty.set()
                    } failed: { error in
                        log("watch \(resource.plural): \(error.message)")
                    }
                }
            }
            group.addTask {
                await Informer<Pod>(client: client, resource: .pods, fieldSelector: "spec.nodeName=\(node)").run { _ in
                    dirty.set()
                } failed: { error in
                    log("watch pods: \(error.message)")
                }
            }
            group.addTask {
                await Informer<Node>(client: client, resource: .nodes, fieldSelector: "metadata.name=\(node)").run { nodes in
                    await reconciler.update(nodeLabels: nodes[node]?.metadata.labels ?? [:])
                    dirty.set()
                } failed: { error in
                    log("watch nodes: \(error.message)")
                }
            }
            group.addTask {
                var last = ContinuousClock.now
                while !Task.isCancelled {
                    if dirty.take() || ContinuousClock.now - last >= .milliseconds(Int(configuration.resyncInterval * 1000)) {
                        last = ContinuousClock.now
                        await reconciler.reconcileAll()
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            await group.waitForAll()
        }
        await client.shutdown()
    }
}

/// A flag informers set and the reconcile loop takes.
final class DirtyFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    func take() -> Bool { value.withLock { flag in defer { flag = false }; return flag } }
}
