import Foundation

/// What `image inspect` reports about an image.
package struct ImageInspection: Sendable {
    /// One manifest's view: its labels and layers.
    package struct Manifest: Sendable {
        /// The manifest's descriptor (with the platform for index entries).
        package var descriptor: Descriptor
        /// Labelled programs, by function name.
        package var programs: [String: String]
        /// Labelled maps, by name.
        package var maps: [String: String]
        /// The layers.
        package var layers: [Descriptor]
    }

    /// The reference as given.
    package var reference: String
    /// The top digest.
    package var digest: ImageDigest
    /// The top document's media type.
    package var mediaType: String
    /// For a single manifest: its view; nil for an index.
    package var single: Manifest?
    /// For an index: one view per platform manifest.
    package var manifests: [Manifest]
}

extension ImagePuller {
    /// Fetches `reference`'s manifests and configs from the registry (blobs
    /// already cached are reused) and describes them.
    package func inspect(_ reference: ImageReference, as text: String) async throws(ImageError) -> ImageInspection {
        try await RegistryClient.with(credentials: credentials, progress: progress) { (client) throws(ImageError) in
            let content = ContentSource(cache: cache, client: client, policy: .always)
            let top = try await content.document(reference)
            switch top.document {
            case .manifest(let manifest):
                let view = try await describe(manifest, descriptor: Descriptor(mediaType: manifest.mediaType ?? MediaType.ociManifest,
                                                                               digest: top.digest, size: 0),
                                              reference: reference, content: content)
                return ImageInspection(reference: text, digest: top.digest, mediaType: manifest.mediaType ?? MediaType.ociManifest,
                                       single: view, manifests: [])
            case .index(let index):
                var views: [ImageInspection.Manifest] = []
                for entry in index.manifests {
                    let bytes = try await content.manifest(entry, of: reference)
                    guard case .manifest(let manifest) = try ManifestDocument(decoding: bytes, contentType: entry.mediaType) else { continue }
                    views.append(try await describe(manifest, descriptor: entry, reference: reference, content: content))
                }
                return ImageInspection(reference: text, digest: top.digest, mediaType: index.mediaType ?? MediaType.ociIndex,
                                       single: nil, manifests: views)
            }
        }
    }

    private func describe(_ manifest: ImageManifest, descriptor: Descriptor, reference: ImageReference,
                          content: ContentSource) async throws(ImageError) -> ImageInspection.Manifest {
        let configBytes = try await content.blob(manifest.config, of: reference, limit: RegistryClient.documentLimit)
        let config = try? JSONDecoder().decode(ImageConfig.self, from: Data(configBytes))
        let labels = try BytecodeLabels(labels: config?.labels ?? [:])
        return ImageInspection.Manifest(descriptor: descriptor, programs: labels.programs.mapValues(\.rawValue), maps: labels.maps,
                                        layers: manifest.layers)
    }
}
