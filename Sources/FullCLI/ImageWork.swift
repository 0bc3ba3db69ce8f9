import CLI
import Execution
import Foundation
import ImageLoading
import Images
import Manager
import Model
import Runtimes

extension BytecodeSourceOptions {
    /// The sources given.
    func sources() throws -> [BytecodeImages.Source] {
        if let ciliumProject {
            guard bytecode.isEmpty else { throw UsageError("--cilium-ebpf-project and BYTECODE are mutually exclusive") }
            return try BytecodeImages.ciliumProjectSources(ciliumProject)
        }
        guard !bytecode.isEmpty else { throw UsageError("expected BYTECODE, linux/ARCH=BYTECODE or --cilium-ebpf-project") }
        var sources: [BytecodeImages.Source] = []
        for item in bytecode { sources.append(try BytecodeImages.Source(parsing: item)) }
        return sources
    }
}

extension ImageBuild: FullCommandWork {
    /// Builds the image and writes it to a layout or pushes it.
    package func perform() throws {
        let inputs = try BytecodeImages.inputs(try sources.sources())
        let epoch = Environment()["SOURCE_DATE_EPOCH"].flatMap(Int.init) ?? Int(Date().timeIntervalSince1970)
        let built = try ImageBuilder(epoch: epoch).build(inputs)
        if image.hasPrefix("oci:") {
            let spec = image.dropFirst(4)
            let (directory, tag) = spec.lastIndex(of: ":").map { (String(spec[..<$0]), String(spec[spec.index(after: $0)...])) }
                ?? (String(spec), "latest")
            try ImageBuilder.writeLayout(built, to: directory, tag: tag)
            CLIContext.write("published: oci:\(directory):\(tag)@\(built.top.descriptor.digest)\n")
            return
        }
        let reference = try ImageReference(parsing: image)
        let credentials = CredentialSource(explicit: try registry.credential(), authFiles: CredentialSource.defaultAuthFiles())
        let digest = try Blocking.run { () async throws(ImageError) in try await ImageBuilder.push(built, to: reference, credentials: credentials) }
        CLIContext.write("published: \(reference.tagged(reference.tag ?? "latest"))@\(digest)\n")
    }
}

extension ImageGenerateBuildArgs: FullCommandWork {
    /// Prints the build arguments and labels of the objects.
    package func perform() throws {
        let format = try output.format()
        let list = try sources.sources()
        var programs: [String: String] = [:]
        var maps: [String: String] = [:]
        for source in list {
            let labels = try BytecodeImages.labels(forObject: source.path)
            programs.merge(labels.programs.mapValues(\.rawValue)) { first, _ in first }
            maps.merge(labels.maps) { first, _ in first }
        }
        let arguments = list.map { ($0.buildArgName, $0.path) }
        let programsJSON = BytecodeLabels.encodeObject(programs)
        let mapsJSON = BytecodeLabels.encodeObject(maps)
        let json = JSONValue.object([
            ("platforms", .array(list.compactMap { $0.platform.map { .string($0.description) } })),
            ("build_args", .sortedObject(Dictionary(arguments.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { first, _ in first }))),
            ("programs", .stringMap(programs)),
            ("maps", .stringMap(maps)),
        ])
        let text = arguments.map { "\($0.0)=\($0.1)\n" }.joined() + "PROGRAMS=\(programsJSON)\nMAPS=\(mapsJSON)\n"
        CLIContext.emit(format, json: json, text: text)
    }
}

extension ImageInspect: FullCommandWork {
    /// Prints the image description.
    package func perform() throws {
        let reference = try ImageReference(parsing: image)
        let puller = try CLIContext.settings.imageSettings().puller(credential: try registry.credential())
        let inspection = try Blocking.run { [image] () async throws(ImageError) in try await puller.inspect(reference, as: image) }
        var members: [(String, JSONValue)] = [("reference", .string(inspection.reference)), ("digest", .string(inspection.digest.description)),
                                              ("media_type", .string(inspection.mediaType))]
        if let single = inspection.single { members += Self.details(single) }
        if !inspection.manifests.isEmpty {
            members.append(("manifests", .array(inspection.manifests.map { manifest in
                var entry: [(String, JSONValue)] = Self.descriptor(manifest.descriptor)
                if let platform = manifest.descriptor.platform { entry.append(("platform", .string(platform.description))) }
                return .object(entry + Self.details(manifest))
            })))
        }
        CLIContext.write(JSONValue.object(members).rendered())
    }
    private static func descriptor(_ descriptor: Descriptor) -> [(String, JSONValue)] {
        [("digest", .string(descriptor.digest.description)), ("media_type", .string(descriptor.mediaType)), ("size", .int(Int64(descriptor.size)))]
    }
    private static func details(_ manifest: ImageInspection.Manifest) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if !manifest.programs.isEmpty { members.append(("programs", .stringMap(manifest.programs))) }
        if !manifest.maps.isEmpty { members.append(("maps", .stringMap(manifest.maps))) }
        if !manifest.layers.isEmpty { members.append(("layers", .array(manifest.layers.map { .object(descriptor($0)) }))) }
        return members
    }
}

extension ImageVerify: FullCommandWork {
    /// Checks the signature against the policy and prints the outcome.
    package func perform() throws {
        if [certificateIdentity, certificateIdentityRegexp, certificateIssuer, certificateIssuerRegexp].contains(where: { $0 != nil }) {
            throw ManagerError(.unsupported, "keyless verification (Fulcio certificates, Rekor) is not supported; configure public_keys in [signing]")
        }
        let reference = try ImageReference(parsing: image)
        var settings = try CLIContext.settings.imageSettings()
        if allowUnsigned { settings.signing.allowUnsigned = true }
        settings.signing.publicKeyPaths += publicKeys
        if !publicKeys.isEmpty { settings.signing.verifyEnabled = true }
        let puller = try settings.puller(credential: try registry.credential())
        let (_, check) = try Blocking.run { () async throws(ImageError) in try await puller.verify(reference) }
        CLIContext.write("Image \(image): \(check.rawValue)\n")
    }
}

extension ImageSign: FullCommandWork {
    /// Signs the image and pushes the signature.
    package func perform() throws {
        let reference = try ImageReference(parsing: image)
        guard let pem = FileManager.default.contents(atPath: key) else { throw ManagerError(.notFound, "private key \(key): cannot read the file") }
        let puller = try CLIContext.settings.imageSettings().puller(credential: try registry.credential())
        let digest = try Blocking.run { [key] () async throws(ImageError) in
            try await puller.sign(reference, keyPEM: String(decoding: pem, as: UTF8.self), keySource: key)
        }
        CLIContext.write("signed: \(reference.repositoryName)@\(digest)\n")
    }
}
