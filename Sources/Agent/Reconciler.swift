import Diagnostics
import Foundation
import Images
import Kubernetes
import Manager
import Model
import Runtimes

/// Makes this node match the `UprobeProgram` resources: loads each selected
/// program once, keeps one link per matching container, unloads what is no
/// longer wanted, and reports per node in the resource's status.
///
/// Everything it makes carries `bpfman.io/owner` metadata (programs) and
/// `bpfman.io/container-id` (links), so a restarted agent finds its work
/// again and never touches programs or links it did not make.
package actor Reconciler {
    private let node: String
    private let manager: Manager
    private let client: KubeClient
    private let runtimeEndpoint: String?
    private var programs: [String: UprobeProgram] = [:]
    private var programsListed = false
    private var nodeLabels: [String: String] = [:]
    private var written: [String: (status: NodeStatus, since: String)] = [:]

    /// The program metadata key naming the resource a program serves.
    package static let ownerKey = "bpfman.io/owner"
    /// The program metadata key holding the resource's uid.
    package static let ownerUIDKey = "bpfman.io/owner-uid"
    /// The program metadata key holding the spec generation it was loaded for.
    package static let generationKey = "bpfman.io/generation"

    /// Creates a reconciler for node `node`.
    package init(node: String, manager: Manager, client: KubeClient, runtimeEndpoint: String?) {
        self.node = node
        self.manager = manager
        self.client = client
        self.runtimeEndpoint = runtimeEndpoint
    }

    /// This node's finalizer: it holds a deleted resource until this node has unloaded it.
    package var finalizer: String { "bpfman.io/agent-\(node)" }

    /// Replaces the known resources (after a list or watch event).
    package func update(programs: [String: UprobeProgram]) {
        self.programs = programs
        programsListed = true
    }

    /// Replaces the node's labels.
    package func update(nodeLabels: [String: String]) {
        self.nodeLabels = nodeLabels
    }

    /// Reconciles every resource, then removes programs whose resource is gone.
    package func reconcileAll() async {
        guard programsListed else { return }
        for program in programs.values.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            await reconcile(program)
        }
        await collectOrphans()
    }

    private func reconcile(_ program: UprobeProgram) async {
        let owner = "UprobeProgram/\(program.metadata.name)"
        let name = program.metadata.name
        if written[name] == nil, let report = program.status?.nodes?[node], let status = NodeStatus(report: report),
           let since = report.conditions?.first?.lastTransitionTime {
            written[name] = (status, since)
        }
        do {
            let loaded = try await offload { [manager] () throws(ManagerError) in try Self.programs(of: owner, manager: manager) }
            if program.metadata.deletionTimestamp != nil {
                try await unload(loaded)
                try await removeFinalizer(program)
                written[name] = nil
                return
            }
            let selected = try program.spec.nodeselector?.selector().matches(nodeLabels) ?? true
            guard selected else {
                try await unload(loaded)
                if written[name] != nil || loaded.isEmpty == false { try await clearStatus(name) }
                return
            }
            try await addFinalizer(program)
            let generation = String(program.metadata.generation ?? 0)
            let uid = program.metadata.uid ?? ""
            let reusable = loaded.first { $0.metadata[Self.generationKey] == generation && $0.metadata[Self.ownerUIDKey] == uid }
            try await unload(loaded.filter { $0.id != reusable?.id })
            let record: ProgramRecord
            if let reusable {
                record = reusable
            } else {
                try await writeStatus(name, NodeStatus(condition: "Pending", reason: "Loading", message: "loading \(program.spec.bpffunctionname)"))
                record = try await load(program, owner: owner, generation: generation)
            }
            let status = try await attach(program, record: record, owner: owner)
            try await writeStatus(name, status)
        } catch {
            let message = (error as? any BpfmanError)?.message ?? "\(error)"
            try? await writeStatus(name, NodeStatus(condition: "Error", reason: "ReconcileFailed", message: message))
        }
    }

    private func load(_ program: UprobeProgram, owner: String, generation: String) async throws -> ProgramRecord {
        let spec = program.spec
        let type: ProgramType = spec.retprobe == true ? .uretprobe : .uprobe
        var globals: [String: [UInt8]] = [:]
        for (key, value) in spec.globaldata ?? [:] {
            guard let bytes = Data(base64Encoded: value) else { throw AgentError("globaldata \(key): not base64") }
            globals[key] = [UInt8](bytes)
        }
        let metadata = [Self.ownerKey: owner, Self.ownerUIDKey: program.metadata.uid ?? "", Self.generationKey: generation]
        if let image = spec.bytecode.image {
            guard let policy = PullPolicy(parsing: image.imagepullpolicy ?? "IfNotPresent") else {
                throw AgentError("unknown image pull policy \"\(image.imagepullpolicy ?? "")\"")
            }
            let request = ImageLoadRequest(reference: image.url, pullPolicy: policy, programs: [ImageProgramSelection(type: type, name: spec.bpffunctionname)],
                                           globals: globals, metadata: metadata)
            let pulled = try await Manager.pull(request, settings: manager.imageSettings)
            return try await offload { [manager] () throws(ManagerError) in try Self.first(manager.load(pulled: pulled, request: request)) }
        }
        guard let path = spec.bytecode.path else { throw AgentError("bytecode names neither an image nor a path") }
        let request = LoadRequest(path: path, programs: [ProgramSelection(type: type, name: spec.bpffunctionname)], globals: globals, metadata: metadata)
        return try await offload { [manager] () throws(ManagerError) in try Self.first(manager.load(request)) }
    }

    private func attach(_ program: UprobeProgram, record: ProgramRecord, owner: String) async throws -> NodeStatus {
        let spec = program.spec
        let request = AttachRequest(programID: record.id, target: .uprobe(target: spec.target, functionName: spec.func_name, offset: spec.offset ?? 0,
                                                                          pid: spec.pid, containerPID: nil),
                                    metadata: [Self.ownerKey: owner])
        guard let containers = spec.containers else {
            let link = try await offload { [manager] () throws(ManagerError) in try Self.hostLink(request, manager: manager) }
            return NodeStatus(condition: "Success", reason: "Attached", message: "program \(record.id) attached on the node",
                              programID: record.id.rawValue,
                              links: [NodeStatus.Link(containerID: "", pod: "", namespace: "", containerName: "", pid: spec.pid ?? 0,
                                                      linkID: link.id.rawValue, state: "Attached")])
        }
        let selector = ContainerSelector(namespace: containers.namespace, pods: try containers.pods.selector(),
                                         containerNames: containers.containernames ?? [])
        let endpoint = runtimeEndpoint
        let sync = try await offload { [manager] () throws(ManagerError) in
            try manager.syncContainerLinks(request, in: selector, runtimeEndpoint: endpoint)
        }
        return NodeStatus(programID: record.id.rawValue, sync: sync)
    }

    private func collectOrphans() async {
        let known = Set(programs.values.map { "UprobeProgram/\($0.metadata.name)" })
        guard let all = try? await offload({ [manager] () throws(ManagerError) in try Self.programs(of: nil, manager: manager) }) else { return }
        let orphans = all.filter { record in
            guard let owner = record.metadata[Self.ownerKey], owner.hasPrefix("UprobeProgram/") else { return false }
            return !known.contains(owner)
        }
        try? await unload(orphans)
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

    /// The program's one host link, made when missing.
    private static func hostLink(_ request: AttachRequest, manager: Manager) throws(ManagerError) -> LinkRecord {
        var filter = LinkFilter()
        filter.programID = request.programID
        if let link = try manager.links(filter).first { return link }
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

    /// Runs blocking manager work on its own thread, off the concurrency pool.
    private func offload<T: Sendable>(_ body: @escaping @Sendable () throws(ManagerError) -> T) async throws(ManagerError) -> T {
        let result: Result<T, ManagerError> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.capture(body)) }.start()
        }
        return try result.get()
    }

    private static func capture<T>(_ body: () throws(ManagerError) -> T) -> Result<T, ManagerError> {
        do { return .success(try body()) } catch { return .failure(error) }
    }

    // MARK: API

    private func addFinalizer(_ program: UprobeProgram) async throws {
        let finalizers = program.metadata.finalizers ?? []
        guard !finalizers.contains(finalizer) else { return }
        let operation: [String: Any] = finalizers.isEmpty && program.metadata.finalizers == nil
            ? ["op": "add", "path": "/metadata/finalizers", "value": [finalizer]]
            : ["op": "add", "path": "/metadata/finalizers/-", "value": finalizer]
        try await client.patch(UprobeProgram.resource, name: program.metadata.name, type: .json, body: [operation])
    }

    private func removeFinalizer(_ program: UprobeProgram) async throws {
        guard let index = program.metadata.finalizers?.firstIndex(of: finalizer) else { return }
        do {
            try await client.patch(UprobeProgram.resource, name: program.metadata.name, type: .json, body: [
                ["op": "test", "path": "/metadata/finalizers/\(index)", "value": finalizer],
                ["op": "remove", "path": "/metadata/finalizers/\(index)"],
            ])
        } catch {
            // Already gone: another writer finished the deletion.
            if error.code != .notFound { throw error }
        }
    }

    private func writeStatus(_ name: String, _ status: NodeStatus) async throws {
        if let previous = written[name], previous.status == status { return }
        let since = written[name].map { $0.status.condition == status.condition ? $0.since : NodeStatus.now() } ?? NodeStatus.now()
        try await client.patch(UprobeProgram.resource, name: name, subresource: "status",
                               body: ["status": ["nodes": [node: status.patchValue(since: since)]]])
        written[name] = (status, since)
    }

    private func clearStatus(_ name: String) async throws {
        try await client.patch(UprobeProgram.resource, name: name, subresource: "status", body: ["status": ["nodes": [node: NSNull()]]])
        written[name] = nil
    }
}
