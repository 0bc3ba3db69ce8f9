import Archive
import BinaryFormats
import Foundation
import Model

/// An image pulled (or found in the cache), with its bytecode extracted.
package struct PulledImage: Sendable, Equatable {
    /// The reference as parsed.
    package var reference: ImageReference
    /// The digest the reference resolved to (an index's, for multi-platform
    /// images): what signatures sign and what the program record keeps.
    package var digest: ImageDigest
    /// The platform manifest's digest.
    package var manifestDigest: ImageDigest
    /// What the labels say about the programs and maps.
    package var labels: BytecodeLabels
    /// The extracted object, in the cache.
    package var objectPath: String
    /// What the signing policy found.
    package var signature: SignatureCheck
}

extension LayerLimits {
    /// The limits for bytecode layers: BPF objects are kilobytes to a few
    /// megabytes, so 64 MiB compressed or unpacked is generous and keeps a
    /// decompression bomb cheap to refuse.
    package static let bytecode = LayerLimits(compressedBytes: 64 << 20, uncompressedBytes: 64 << 20, entries: 1_000)
}

/// Pulls bytecode images through the cache, following a pull policy.
package struct ImagePuller: Sendable {
    /// The cache.
    package var cache: ImageCache
    /// Where registry credentials come from.
    package var credentials: CredentialSource
    /// The platform whose manifest to pick from an index.
    package var platform: Platform
    /// Limits on the layer blobs and their contents.
    package var limits: LayerLimits
    /// Receives progress lines during long transfers.
    package var progress: (@Sendable (String) -> Void)?
    /// Which signatures an image needs.
    package var signing: SigningPolicy

    /// Creates a puller.
    package init(cache: ImageCache, credentials: CredentialSource, signing: SigningPolicy = SigningPolicy(), platform: Platform = .host,
                 limits: LayerLimits = .bytecode, progress: (@Sendable (String) -> Void)? = nil) {
        self.cache = cache
        self.credentials = credentials
        self.signing = signing
        self.platform = platform
        self.limits = limits
        self.progress = progress
    }

    /// Resolves `reference` under `policy`, fetches what the cache lacks,
    /// extracts the object and checks that it is BPF bytecode for this host.
    ///
    /// - Throws: `.notFound` when the image is not cached and the policy is
    ///   Never, or when the registry lacks it; `.invalidArgument` for bad
    ///   manifests, labels, layers or objects.
    package func pull(_ reference: ImageReference, policy: PullPolicy) async throws(ImageError) -> PulledImage {
        try await RegistryClient.with(credentials: credentials, progress: progress) { (client) throws(ImageError) in
            let content = ContentSource(cache: cache, client: client, policy: policy)
            return try await pull(reference, from: content)
        }
    }

    private func pull(_ reference: ImageReference, from content: ContentSource) async throws(ImageError) -> PulledImage {
        let top = try await content.document(reference)
        let signature = try await SignatureCheck.apply(signing, to: reference, digest: top.digest, content: content)
        let manifestDigest: ImageDigest
        let manifest: ImageManifest
        switch top.document {
        case .manifest(let single):
            (manifestDigest, manifest) = (top.digest, single)
        case .index(let index):
            guard let entry = index.manifests.first(where: { $0.platform?.os == platform.os && $0.platform?.architecture == platform.architecture }) else {
                let offered = index.manifests.compactMap { $0.platform?.description }.joined(separator: ", ")
                throw ImageError(.notFound, "image \(reference) has no manifest for \(platform) (it has: \(offered.isEmpty ? "none" : offered))")
            }
            let bytes = try await content.manifest(entry, of: reference)
            guard case .manifest(let single) = try ManifestDocument(decoding: bytes, contentType: entry.mediaType) else {
                throw ImageError(.invalidArgument, "image \(reference): index entry \(entry.digest) is not a manifest")
            }
            (manifestDigest, manifest) = (entry.digest, single)
        }
        let configBytes = try await content.blob(manifest.config, of: reference, limit: RegistryClient.documentLimit)
        let config: ImageConfig
        do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes)) } catch {
            throw ImageError(.invalidArgument, "image \(reference): decode config \(manifest.config.digest): \(error)")
        }
        let labels = try BytecodeLabels(labels: config.labels)
        let objectPath = cache.bytecodePath(manifestDigest)
        // Keyed by the manifest digest: an object extracted once is the same for every later pull.
        if !FileManager.default.fileExists(atPath: objectPath) {
            let object = try await extractObject(manifest, labels: labels, reference: reference, from: content)
            try cache.store(bytecode: object, for: manifestDigest)
        }
        return PulledImage(reference: reference, digest: top.digest, manifestDigest: manifestDigest, labels: labels, objectPath: objectPath,
                           signature: signature)
    }

    /// Resolves `reference` at the registry and applies the signing policy
    /// to the digest it names.
    package func verify(_ reference: ImageReference) async throws(ImageError) -> (ImageDigest, SignatureCheck) {
        try await RegistryClient.with(credentials: credentials, progress: progress) { (client) throws(ImageError) in
            let content = ContentSource(cache: cache, client: client, policy: .always)
            let top = try await content.document(reference)
            return (top.digest, try await SignatureCheck.apply(signing, to: reference, digest: top.digest, content: content))
        }
    }

    /// Signs what `reference` resolves to with the PEM private key `keyPEM`
    /// and pushes the signature; returns the signed digest.
    package func sign(_ reference: ImageReference, keyPEM: String, keySource: String) async throws(ImageError) -> ImageDigest {
        let key = try Cosign.privateKey(pem: keyPEM, source: keySource)
        return try await RegistryClient.with(credentials: credentials, progress: progress) { (client) throws(ImageError) in
            let digest = try await client.manifest(reference).digest
            _ = try await Cosign.sign(reference, digest: digest, key: key, client: client)
            return digest
        }
    }

    private func extractObject(_ manifest: ImageManifest, labels: BytecodeLabels, reference: ImageReference,
                               from content: ContentSource) async throws(ImageError) -> [UInt8] {
        guard !manifest.layers.isEmpty else { throw ImageError(.invalidArgument, "image \(reference) has no layers") }
        var files: [String: [UInt8]] = [:]
        for layer in manifest.layers {
            let blob = try await content.blob(layer, of: reference, limit: limits.compressedBytes)
            do {
                files.merge(try LayerReader.files(in: blob, limits: limits)) { _, later in later }
            } catch {
                throw ImageError(error.code, "image \(reference): layer \(layer.digest): \(error.message)")
            }
        }
        let name: String
        if let wanted = labels.filename {
            let normalized = wanted.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            guard let match = files.keys.first(where: { $0 == normalized }) ?? files.keys.first(where: { $0.hasSuffix("/" + normalized) }) else {
                throw ImageError(.notFound, "image \(reference): the file \(wanted) named by \(BytecodeLabels.Key.filename) is not in the layer")
            }
            name = match
        } else {
            let objects = files.keys.filter { $0.hasSuffix(".o") }.sorted()
            guard objects.count == 1 else {
                throw ImageError(.invalidArgument, objects.isEmpty
                    ? "image \(reference): no .o file in the layer"
                    : "image \(reference): several objects in the layer (\(objects.joined(separator: ", "))) and no \(BytecodeLabels.Key.filename) label")
            }
            name = objects[0]
        }
        let object = files[name] ?? []
        try Self.checkBytecode(object, name: name, platform: platform, reference: reference)
        return object
    }

    /// Checks that `object` is a 64-bit BPF ELF object of `platform`'s byte order.
    package static func checkBytecode(_ object: [UInt8], name: String, platform: Platform, reference: ImageReference?) throws(ImageError) {
        let prefix = reference.map { "image \($0): " } ?? ""
        let elf: ELFFile
        do { elf = try ELFFile(bytes: object) } catch {
            throw ImageError(.invalidArgument, "\(prefix)\(name) is not an ELF object: \(error)")
        }
        guard elf.machine == 247 else {
            throw ImageError(.invalidArgument, "\(prefix)\(name) is not BPF bytecode (ELF machine \(elf.machine), expected 247 EM_BPF)")
        }
        guard elf.isLittleEndian != platform.isBigEndian else {
            throw ImageError(.invalidArgument, "\(prefix)\(name) is \(elf.isLittleEndian ? "little" : "big")-endian; \(platform) needs \(platform.isBigEndian ? "big" : "little")-endian bytecode")
        }
    }
}

/// Manifests and blobs from the cache or the registry, as the policy allows.
struct ContentSource: Sendable {
    var cache: ImageCache
    var client: RegistryClient
    var policy: PullPolicy

    struct Document: Sendable {
        var digest: ImageDigest
        var document: ManifestDocument
    }

    /// The manifest or index `reference` names.
    func document(_ reference: ImageReference) async throws(ImageError) -> Document {
        if policy != .always, let digest = cache.resolved(reference), let bytes = cache.blob(digest) {
            return Document(digest: digest, document: try ManifestDocument(decoding: bytes, contentType: nil))
        }
        guard policy != .never else {
            throw ImageError(.notFound, "image \(reference) not in cache and pull policy is Never")
        }
        let fetched = try await client.manifest(reference)
        try cache.store(blob: fetched.bytes)
        try cache.record(reference, resolvesTo: fetched.digest)
        return Document(digest: fetched.digest, document: fetched.document)
    }

    /// The platform manifest an index entry names, verified.
    func manifest(_ descriptor: Descriptor, of reference: ImageReference) async throws(ImageError) -> [UInt8] {
        try await cached(descriptor.digest, "manifest", of: reference) { () async throws(ImageError) in
            try await client.manifest(descriptor, of: reference)
        }
    }

    /// The blob `descriptor` names, verified.
    func blob(_ descriptor: Descriptor, of reference: ImageReference, limit: Int) async throws(ImageError) -> [UInt8] {
        try await cached(descriptor.digest, "blob", of: reference) { () async throws(ImageError) in
            try await client.blob(descriptor, from: reference, limit: limit)
        }
    }

    /// Content `digest` from the cache, else (unless the policy is Never) from `fetch`, stored.
    private func cached(_ digest: ImageDigest, _ what: String, of reference: ImageReference,
                        fetch: () async throws(ImageError) -> [UInt8]) async throws(ImageError) -> [UInt8] {
        if let bytes = cache.blob(digest) { return bytes }
        guard policy != .never else {
            throw ImageError(.notFound, "image \(reference) not in cache and pull policy is Never (\(what) \(digest) missing)")
        }
        let bytes = try await fetch()
        try cache.store(blob: bytes)
        return bytes
    }
}
