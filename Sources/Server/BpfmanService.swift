import BpfmanProto
import Execution
import GRPCCore
import ImageLoading
import Images
import Logs
import Manager
import Metrics
import Model

/// The `bpfman.v1.Bpfman` service over the same ``Manager`` the CLI uses.
///
/// Handlers run on the cooperative pool and never block it: queries go to
/// the executor's readers, mutations to its writer, and a call cancelled
/// (its deadline passed, its client gone) before its work starts, or while
/// it waits for the writer lock, changes nothing.
struct BpfmanService: Bpfman_V1_Bpfman.SimpleServiceProtocol {
    let manager: Manager
    let executor: DaemonExecutor
    /// Where attach and detach times are recorded.
    let metrics: ManagerMetrics

    /// Runs a query on a reader thread, mapping failures to gRPC statuses.
    private func reading<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(RPCError) -> T {
        do { return try await Self.cancellable { [executor] in try await executor.read(body) } } catch { throw ProtoMapping.rpcError(error) }
    }

    /// Runs a mutation on the writer thread, mapping failures to gRPC statuses.
    ///
    /// When the call is cancelled while `body` runs, or `body` finishes
    /// past the call's ``CallDeadline``, `undo` takes back what `body` made
    /// and the call answers CANCELLED or DEADLINE_EXCEEDED: a change the
    /// client can no longer hear about does not stay.
    private func writing<T: Sendable>(_ body: @escaping @Sendable () throws -> T,
                                      undo: (@Sendable (T) throws -> Void)? = nil) async throws(RPCError) -> T {
        let deadline = CallDeadline.current
        let guarded: @Sendable () throws -> T = {
            let result = try body()
            guard let undo else { return result }
            let late = deadline.map { ContinuousClock.now >= $0 } ?? false
            guard late || WorkerPool.isCurrentJobCancelled else { return result }
            let log = Logger.bpfman(.server)
            log.info(late ? "rolling back a change that finished past its call's deadline" : "rolling back a change whose caller went away while it was made")
            log.attempt("roll back a change whose caller went away") { try undo(result) }
            if late { throw RPCError(code: .deadlineExceeded, message: "the call's deadline passed while it ran; its change was rolled back") }
            throw ManagerError(.cancelled, "the call was cancelled while it ran; its change was rolled back")
        }
        do { return try await Self.cancellable { [executor] in try await executor.write(guarded) } } catch { throw ProtoMapping.rpcError(error) }
    }

    /// Runs `operation` as a task that the call's cancellation cancels: gRPC
    /// reports a passed deadline, a client gone or a shutdown through its
    /// own handle, not by cancelling the handler's task.
    private static func cancellable<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await operation() }
        return try await withRPCCancellationHandler {
            try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } onCancelRPC: {
            task.cancel()
        }
    }

    func load(request: Bpfman_V1_LoadRequest, context: ServerContext) async throws -> Bpfman_V1_LoadResponse {
        var pulled: PulledImage?
        if let image = try ProtoMapping.image(of: request) { pulled = try await pull(image) }
        let views = try await writing({ [manager, pulled] in
            try manager.load(try ProtoMapping.loadRequest(request, pulled: pulled)).map { try manager.programSummary($0.id) }
        }, undo: { [manager] views in
            for view in views { try manager.unload(view.record.id) }
        })
        var response = Bpfman_V1_LoadResponse()
        for view in views {
            var item = Bpfman_V1_LoadResponseInfo()
            item.info = ProtoMapping.programInfo(view.record, links: view.links.map(\.id), mapUsedBy: view.mapUsedBy)
            if let kernel = view.kernel { item.kernelInfo = ProtoMapping.kernelInfo(kernel) }
            response.programs.append(item)
        }
        return response
    }

    func unload(request: Bpfman_V1_UnloadRequest, context: ServerContext) async throws -> Bpfman_V1_UnloadResponse {
        try await writing { [manager] in try manager.unload(ProgramID(request.id)) }
        return Bpfman_V1_UnloadResponse()
    }

    func attach(request: Bpfman_V1_AttachRequest, context: ServerContext) async throws -> Bpfman_V1_AttachResponse {
        guard request.hasAttach else { throw ProtoMapping.invalid("attach info is required") }
        let (target, metadata) = try ProtoMapping.attachTarget(request.attach)
        let record = try await writing({ [manager, metrics] in
            let start = ContinuousClock.now
            let record = try manager.attach(AttachRequest(programID: ProgramID(request.id), target: target, metadata: metadata.isEmpty ? nil : metadata))
            metrics.recordAttach(type: record.kind.rawValue, duration: start.duration(to: .now))
            return record
        }, undo: { [manager] record in try manager.detach(record.id) })
        var response = Bpfman_V1_AttachResponse()
        response.linkID = UInt32(truncatingIfNeeded: record.id.rawValue)
        return response
    }

    func detach(request: Bpfman_V1_DetachRequest, context: ServerContext) async throws -> Bpfman_V1_DetachResponse {
        try await writing { [manager, metrics] in
            let id = LinkID(UInt64(request.linkID))
            // Unknown ids are left to the detach, which reports them.
            let kind = try manager.linkKind(id)
            let start = ContinuousClock.now
            try manager.detach(id)
            if let kind { metrics.recordDetach(type: kind.rawValue, duration: start.duration(to: .now)) }
        }
        return Bpfman_V1_DetachResponse()
    }

    func list(request: Bpfman_V1_ListRequest, context: ServerContext) async throws -> Bpfman_V1_ListResponse {
        var filter = ProgramFilter()
        filter.includeUnmanaged = !(request.hasBpfmanProgramsOnly && request.bpfmanProgramsOnly)
        filter.metadata = request.matchMetadata
        let (entries, usersBySet) = try await reading { [manager, filter] in try manager.programsAndMapSetUsers(filter) }
        var response = Bpfman_V1_ListResponse()
        for entry in entries where !request.hasProgramType || entry.kernel.type == request.programType {
            var result = Bpfman_V1_ListResponse.ListResult()
            if let record = entry.record {
                result.info = ProtoMapping.programInfo(record, links: entry.links, mapUsedBy: usersBySet[record.mapSetID] ?? [])
            }
            result.kernelInfo = ProtoMapping.kernelInfo(entry.kernel)
            response.results.append(result)
        }
        return response
    }

    func pullBytecode(request: Bpfman_V1_PullBytecodeRequest, context: ServerContext) async throws -> Bpfman_V1_PullBytecodeResponse {
        guard request.hasImage else { throw ProtoMapping.invalid("image is required") }
        _ = try await pull(try ProtoMapping.imagePull(request.image))
        return Bpfman_V1_PullBytecodeResponse()
    }

    /// Pulls an image into the cache, applying the signing policy.
    private func pull(_ image: ImageLoadRequest) async throws(RPCError) -> PulledImage {
        do { return try await Manager.pull(image, settings: manager.imageSettings) } catch { throw ProtoMapping.rpcError(error) }
    }

    func get(request: Bpfman_V1_GetRequest, context: ServerContext) async throws -> Bpfman_V1_GetResponse {
        let view = try await reading { [manager] in try manager.programSummary(ProgramID(request.id)) }
        var response = Bpfman_V1_GetResponse()
        response.info = ProtoMapping.programInfo(view.record, links: view.links.map(\.id), mapUsedBy: view.mapUsedBy)
        if let kernel = view.kernel { response.kernelInfo = ProtoMapping.kernelInfo(kernel) }
        return response
    }
}
