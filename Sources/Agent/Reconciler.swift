import ContainerSelection
import Diagnostics
import Execution
import Foundation
import ImageLoading
import Images
import Kubernetes
import Logs
import Manager
import Model
import Runtimes

/// Makes this node match bpfman's resources (`UprobeProgram`,
/// `ClusterBpfApplication`, `BpfApplication`): loads each selected program
/// once, keeps its links (one per matching container for container
/// uprobes), unloads what is no longer wanted, and reports per node in the
/// resource's status.
///
/// Everything it makes carries `bpfman.io/owner` metadata (programs) and
/// `bpfman.io/link` (links, with `bpfman.io/container-id` for container
/// links), so a restarted agent finds its work again and never touches
/// programs or links it did not make.
package actor Reconciler {
    private let node: String
    private let manager: Manager
    private let client: KubeClient
    private let runtimeEndpoint: String?
    /// Where manager work runs: the agent's own threads, as `serve`'s.
    private let executor = DaemonExecutor(readers: 1)
    /// Where reconcile passes and results are counted.
    private let metrics: ReconcileMetrics
    private var workloads: [String: [String: Workload]] = [:]
    private var nodeLabels: [String: String] = [:]
    private var written: [String: (status: NodeStatus, since: String)] = [:]

    /// The kinds the agent reconciles; orphans are collected only once all are listed.
    package static let kinds = ["UprobeProgram", "ClusterBpfApplication", "BpfApplication"]
    /// The program metadata key naming the resource a program serves.
    package static let ownerKey = "bpfman.io/owner"
    /// The program metadata key holding the resource's uid.
    package static let ownerUIDKey = "bpfman.io/owner-uid"
    /// The program metadata key holding the spec generation it was loaded for.
    package static let generationKey = "bpfman.io/generation"
    /// The link metadata key naming the link's index in its program's spec.
    package static let linkKey = "bpfman.io/link"

    /// Creates a reconciler for node `node`.
    package init(node: String, manager: Manager, client: KubeClient, runtimeEndpoint: String?, metrics: ReconcileMetrics = ReconcileMetrics()) {
        self.node = node
        self.manager = manager
        self.client = client
        self.runtimeEndpoint = runtimeEndpoint
        self.metrics = metrics
    }

    /// Runs a query on the agent's reader thread (a metrics scrape).
    package nonisolated func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await executor.read(body)
    }

    /// This node's finalizer: it holds a deleted resource until this node has unloaded it.
    package var finalizer: String { "bpfman.io/agent-\(node)" }

    /// Replaces the known `UprobeProgram` resources.
    package func update(uprobePrograms: [String: UprobeProgram]) {
        workloads["UprobeProgram"] = uprobePrograms.mapValues { Workload($0, node: node) }
    }

    /// Replaces the known applications of one scope.
    package func update(applications: [String: BpfApplication], namespaced: Bool) {
        workloads[namespaced ? "BpfApplication" : "ClusterBpfApplication"] = applications.mapValues {
            Workload($0, namespaced: namespaced, node: node)
        }
    }

    /// Replaces the node's labels.
    package func update(nodeLabels: [String: String]) {
        self.nodeLabels = nodeLabels
    }

    /// Reconciles every resource, then removes programs whose resource is gone.
    package func reconcileAll() async {
        let start = ContinuousClock.now
        for kind in Self.kinds {
            for workload in (workloads[kind] ?? [:]).values.sorted(by: { $0.owner < $1.owner }) {
                metrics.recordReconcile(succeeded: await reconcile(workload))
            }
        }
        if Self.kinds.allSatisfy({ workloads[$0] != nil }) { await collectOrphans() }
        metrics.recordPass(start.duration(to: .now))
    }

    /// Reconciles one resource; false when that failed (and the failure
    /// was reported in its status).
    private func reconcile(_ workload: Workload) async -> Bool {
        let owner = workload.owner
        if written[owner] == nil, let report = workload.reported, let status = NodeStatus(report: report, singleProgram: workload.singleProgram),
           let since = report.conditions?.first?.lastTransitionTime {
            written[owner] = (status, since)
        }
        do {
            let loaded = try await offload { [manager] () throws(ManagerError) in try Self.programs(of: owner, manager: manager) }
            if workload.metadata.deletionTimestamp != nil {
                try await unload(loaded)
                try await removeFinalizer(workload)
                written[owner] = nil
                return true
            }
            guard try workload.nodeSelector?.selector().matches(nodeLabels) ?? true else {
                try await unload(loaded)
                if written[owner] != nil { try await clearStatus(workload) }
                return true
            }
            try await addFinalizer(workload)
            let generation = String(workload.metadata.generation ?? 0)
            let uid = workload.metadata.uid ?? ""
            let current = loaded.filter { $0.metadata[Self.generationKey] == generation && $0.metadata[Self.ownerUIDKey] == uid }
            try await unload(loaded.filter { record in !current.contains { $0.id == record.id } })
            var programs: [NodeStatus.Program] = []
            for program in workload.programs {
                programs.append(await reconcile(program, of: workload, loaded: current.first { $0.name == program.name }, generation: generation))
            }
            try await writeStatus(workload, NodeStatus(programs: programs, singleProgram: workload.singleProgram))
            return true
        } catch {
            let message = (error as? any BpfmanError)?.message ?? "\(error)"
            let log = Logger.bpfman(.agent)
            log.warning("reconcile failed", metadata: ["resource": .string(workload.owner), LogKey.error: .string(message)])
            do {
                try await writeStatus(workload, NodeStatus(condition: "Error", reason: "ReconcileFailed", message: message,
                                                           singleProgram: workload.singleProgram))
            } catch {
                // The next event or resync writes it again.
                log.warning("cannot write the failure to the resource's status", metadata: ["resource": .string(workload.owner), LogKey.error: "\(error)"])
            }
            return false
        }
    }

    /// Loads one program if needed and keeps its links.
    private func reconcile(_ program: Workload.Program, of workload: Workload, loaded: ProgramRecord?,
                           generation: String) async -> NodeStatus.Program {
        let name = workload.singleProgram ? "" : program.name
        guard let type = program.type else {
            return NodeStatus.Program(name: name, programID: nil, links: [], error: "Error: \(program.unsupported ?? "unsupported")")
        }
        let record: ProgramRecord
        do {
            if let loaded {
                record = loaded
            } else {
                try await writeStatus(workload, NodeStatus(condition: "Pending", reason: "Loading", message: "loading \(program.name)",
                                                           singleProgram: workload.singleProgram))
                record = try await load(program, type: type, of: workload, generation: generation)
            }
        } catch {
            return NodeStatus.Program(name: name, programID: nil, links: [], error: "Error: \((error as? any BpfmanError)?.message ?? "\(error)")")
        }
        var links: [NodeStatus.Link] = []
        for (index, link) in program.links.enumerated() {
            let request = AttachRequest(programID: record.id, target: link.target, metadata: [Self.ownerKey: workload.owner, Self.linkKey: String(index)])
            do {
                links += try await attach(request, containers: link.containers)
            } catch {
                links.append(NodeStatus.Link(linkID: nil, state: "Error: \((error as? any BpfmanError)?.message ?? "\(error)")"))
            }
        }
        return NodeStatus.Program(name: name, programID: record.id.rawValue, links: links)
    }

    private func load(_ program: Workload.Program, type: ProgramType, of workload: Workload, generation: String) async throws -> ProgramRecord {
        var globals: [String: [UInt8]] = [:]
        for (key, value) in workload.globals {
            guard let bytes = Data(base64Encoded: value) else { throw AgentError("globalData \(key): not base64") }
            globals[key] = [UInt8](bytes)
        }
        let metadata = [Self.ownerKey: workload.owner, Self.ownerUIDKey: workload.metadata.uid ?? "", Self.generationKey: generation]
        switch workload.bytecode {
        case .image(let url, let pullPolicy):
            guard let policy = PullPolicy(parsing: pullPolicy ?? "IfNotPresent") else {
                throw AgentError("unknown image pull policy \"\(pullPolicy ?? "")\"")
            }
            let request = ImageLoadRequest(reference: url, pullPolicy: policy,
                                           programs: [ImageProgramSelection(type: type, name: program.name, attachFunction: program.attachFunction)],
                                           globals: globals, metadata: metadata)
            let pulled = try await Manager.pull(request, settings: manager.imageSettings)
            return try await offload { [manager] () throws(ManagerError) in try Self.first(manager.load(pulled: pulled, request: request)) }
        case .path(let path):
            let request = LoadRequest(path: path, programs: [ProgramSelection(type: type, name: program.name, attachFunction: program.attachFunction)],
                                      globals: globals, metadata: metadata)
            return try await offload { [manager] () throws(ManagerError) in try Self.first(manager.load(request)) }
        }
    }

    /// Keeps one link (on the node) or one per selected container.
    private func attach(_ request: AttachRequest, containers: Workload.ContainerSelectorSpec?) async throws -> [NodeStatus.Link] {
        guard let containers else {
            let link = try await offload { [manager] () throws(ManagerError) in try Self.nodeLink(request, manager: manager) }
            return [NodeStatus.Link(linkID: link.id.rawValue, state: "Attached")]
        }
        let selector = ContainerSelector(namespace: containers.namespace, pods: try containers.pods.selector(), containerNames: containers.names)
        let endpoint = runtimeEndpoint
        let sync = try await offload { [manager] () throws(ManagerError) in
            try manager.syncContainerLinks(request, in: selector, runtimeEndpoint: endpoint)
        }
        return NodeStatus.links(sync)
    }

    private func collectOrphans() async {
        let known = Set(workloads.values.flatMap { $0.values.map(\.owner) })
        let log = Logger.bpfman(.agent)
        do {
            let all = try await offload { [manager] () throws(ManagerError) in try Self.programs(of: nil, manager: manager) }
            let orphans = all.filter { !known.contains($0.metadata[Self.ownerKey] ?? "") }
            for orphan in orphans {
                log.info("unloading a program whose resource is gone", metadata: [LogKey.programID: "\(orphan.id)", "resource": .string(orphan.metadata[Self.ownerKey] ?? "")])
            }
            try await unload(orphans)
        } catch {
            // Collected again after the next full reconcile.
            log.warning("cannot collect orphaned programs", metadata: [LogKey.error: "\(error)"])
        }
    }

    // MARK: Manager

    private static func programs(of owner: String?, manager: Manager) throws(ManagerError) -> [ProgramRecord] {
        var filter = ProgramFilter()
        if let owner { filter.metadata = [ownerKey: owner] }
        return try manager.programs(filter).compactMap(\.record).filter { $0.metadata[ownerKey] != nil }
    }

    private static func first(_ records: [ProgramRecord]) throws(ManagerError) -> ProgramRecord {
        guard let record = records.first else { throw ManagerError(.internal, "load returned no program") }
        return record
    }

    /// The request's one link on the node (recognised by its metadata), made when missing.
    private static func nodeLink(_ request: AttachRequest, manager: Manager) throws(ManagerError) -> LinkRecord {
        var filter = LinkFilter()
        filter.programID = request.programID
        let index = request.metadata?[linkKey]
        if let link = try manager.links(filter).first(where: { $0.metadata?[linkKey] == index }) { return link }
        return try manager.attach(request)
    }

    /// Unloads `records`; ones already gone are fine.
    private static func unload(_ records: [ProgramRecord], manager: Manager) throws(ManagerError) {
        for record in records {
            do { try manager.unload(record.id) } catch {
                if error.code != .notFound { throw error }
            }
        }
    }

    private func unload(_ records: [ProgramRecord]) async throws {
        guard !records.isEmpty else { return }
        try await offload { [manager] () throws(ManagerError) in try Self.unload(records, manager: manager) }
    }

    /// Runs blocking manager work on the executor's writer thread, off the
    /// cooperative pool, in the order the reconciler asks for it.
    private func offload<T: Sendable>(_ body: @escaping @Sendable () throws(ManagerError) -> T) async throws(ManagerError) -> T {
        do {
            return try await executor.write { () throws -> T in try body() }
        } catch let error as ManagerError {
            throw error
        } catch {
            throw ManagerError(.cancelled, "cancelled before it changed anything")
        }
    }

    // MARK: API

    private func addFinalizer(_ workload: Workload) async throws {
        let finalizers = workload.metadata.finalizers ?? []
        guard !finalizers.contains(finalizer) else { return }
        let operation: [String: Any] = workload.metadata.finalizers == nil
            ? ["op": "add", "path": "/metadata/finalizers", "value": [finalizer]]
            : ["op": "add", "path": "/metadata/finalizers/-", "value": finalizer]
        try await client.patch(workload.resource, namespace: workload.metadata.namespace, name: workload.metadata.name, type: .json, body: [operation])
    }

    private func removeFinalizer(_ workload: Workload) async throws {
        guard let index = workload.metadata.finalizers?.firstIndex(of: finalizer) else { return }
        do {
            try await client.patch(workload.resource, namespace: workload.metadata.namespace, name: workload.metadata.name, type: .json, body: [
                ["op": "test", "path": "/metadata/finalizers/\(index)", "value": finalizer],
                ["op": "remove", "path": "/metadata/finalizers/\(index)"],
            ])
        } catch {
            // Already gone: another writer finished the deletion.
            if error.code != .notFound { throw error }
        }
    }

    private func writeStatus(_ workload: Workload, _ status: NodeStatus) async throws {
        let owner = workload.owner
        if let previous = written[owner], previous.status == status { return }
        let since = written[owner].map { $0.status.condition == status.condition ? $0.since : NodeStatus.now() } ?? NodeStatus.now()
        try await client.patch(workload.resource, namespace: workload.metadata.namespace, name: workload.metadata.name, subresource: "status",
                               body: ["status": ["nodes": [node: status.patchValue(since: since)]]])
        written[owner] = (status, since)
    }

    private func clearStatus(_ workload: Workload) async throws {
        try await client.patch(workload.resource, namespace: workload.metadata.namespace, name: workload.metadata.name, subresource: "status",
                               body: ["status": ["nodes": [node: NSNull()]]])
        written[workload.owner] = nil
    }
}
