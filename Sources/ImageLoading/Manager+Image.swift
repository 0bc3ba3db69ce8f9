import Diagnostics
import Execution
import Images
import Manager
import Model
import Runtimes

extension Manager {
    /// Pulls the image of `request` (through the cache, per its policy and
    /// the signing policy) and loads the programs it names.
    ///
    /// - Throws: `ManagerError` "failed to load from image: pull image <ref>: ..."
    ///   for pull, signature and layer failures; the load's own errors after.
    package func loadImage(_ request: ImageLoadRequest) throws(ManagerError) -> [ProgramRecord] {
        let settings = imageSettings
        let pulled = try Blocking.run { () async throws(ManagerError) in try await Self.pull(request, settings: settings) }
        return try load(pulled: pulled, request: request)
    }

    /// Pulls the image of `request`, for async callers (the gRPC server),
    /// which then call ``load(pulled:request:)``.
    package static func pull(_ request: ImageLoadRequest, settings: ImageSettings) async throws(ManagerError) -> PulledImage {
        let fail = { (message: String, code: ErrorCode) in
            ManagerError(code, "failed to load from image: pull image \(request.reference): \(message)")
        }
        let reference: ImageReference
        do { reference = try ImageReference(parsing: request.reference) } catch { throw fail(error.message, error.code) }
        let puller = try settings.puller(credential: request.credential)
        do { return try await puller.pull(reference, policy: request.pullPolicy) } catch { throw fail(error.message, error.code) }
    }

    /// Loads the programs `request` names from the pulled image `pulled`.
    package func load(pulled: PulledImage, request: ImageLoadRequest) throws(ManagerError) -> [ProgramRecord] {
        var selections: [ProgramSelection] = []
        for program in request.programs {
            guard let type = program.type ?? pulled.labels.programs[program.name] else {
                let labelled = pulled.labels.programs.keys.sorted().joined(separator: " ")
                throw ManagerError(.notFound, "failed to load from image: program \(program.name) has no type: it is not in the image's "
                                   + "\(BytecodeLabels.Key.programs) label (labelled: [\(labelled)]); give it as TYPE:\(program.name)")
            }
            selections.append(ProgramSelection(type: type, name: program.name, attachFunction: program.attachFunction))
        }
        let source = ImageSource(url: request.reference, digest: pulled.digest.description, pullPolicy: request.pullPolicy.rawValue)
        return try load(LoadRequest(path: pulled.objectPath, programs: selections, globals: request.globals, metadata: request.metadata,
                                    mapOwnerID: request.mapOwnerID, imageSource: source))
    }
}
