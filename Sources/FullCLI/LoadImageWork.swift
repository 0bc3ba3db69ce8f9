import CLI
import Execution
import ImageLoading
import Manager
import Model
import Runtimes

extension ProgramLoadImage: FullCommandWork {
    /// Pulls the image and loads the selected programs.
    package func perform() throws {
        let format = try output.format()
        let selections = try ValueSyntax.programSpecs(programs, ValueSyntax.imageProgramSpec)
        let (globals, metadata, owner) = try load.parsed()
        let request = ImageLoadRequest(reference: image, pullPolicy: try pull.policy(), credential: try pull.credential(),
                                       programs: selections, globals: globals, metadata: metadata, mapOwnerID: owner)
        let manager = try CLIContext.manager()
        try LoadOptions.print(try manager.loadImage(request), manager: manager, format: format)
    }
}

extension LoadImageCommand: ImageProgramLoading {
    /// Pulls the image and loads the named program, or its one program of `type`.
    package func loadImageProgram(_ type: ProgramType, attachFunction: String?, manager: Manager) throws -> ProgramRecord {
        guard let imageURL else { throw UsageError("missing flags: --image-url=STRING") }
        let (globals, metadata, owner) = try load.parsed()
        var request = ImageLoadRequest(reference: imageURL, pullPolicy: try image.policy(), credential: try image.credential(),
                                       programs: [], globals: globals, metadata: metadata, mapOwnerID: owner)
        let settings = manager.imageSettings
        let pulled = try Blocking.run { [request] () async throws(ManagerError) in try await Manager.pull(request, settings: settings) }
        let chosen: String
        if let name {
            chosen = name
        } else {
            let candidates = pulled.labels.programs.filter { $0.value.attachVerb == type.attachVerb }.keys.sorted()
            guard candidates.count == 1 else {
                throw UsageError(candidates.isEmpty
                    ? "missing flags: --name=STRING (the image labels no \(type.rawValue) program)"
                    : "missing flags: --name=STRING (the image labels several \(type.rawValue) programs: \(candidates.joined(separator: ", ")))")
            }
            chosen = candidates[0]
        }
        request.programs = [ImageProgramSelection(type: type, name: chosen, attachFunction: attachFunction)]
        let records = try manager.load(pulled: pulled, request: request)
        guard let record = records.first else { throw ManagerError(.internal, "load returned no program") }
        return record
    }
}
