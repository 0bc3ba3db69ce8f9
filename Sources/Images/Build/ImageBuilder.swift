import Archive
import Foundation
import Model

/// One object to put in an image, for one platform (or for none).
package struct BytecodeInput: Sendable {
    /// The platform, for multi-platform images; nil builds a single manifest.
    package var platform: Platform?
    /// The object's file name in the layer.
    package var filename: String
    /// The object's bytes.
    package var object: [UInt8]
    /// The labels computed from the object.
    package var labels: BytecodeLabels

    /// Creates an input.
    package init(platform: Platform?, filename: String, object: [UInt8], labels: BytecodeLabels) {
        self.platform = platform
        self.filename = filename
        self.object = object
        self.labels = labels
    }
}

/// A built image: its blobs and the manifest or index at its top.
package struct BuiltImage: Sendable {
    /// Layers and configs, in upload order.
    package var blobs: [(descriptor: Descriptor, bytes: [UInt8])]
    /// Platform manifests under an index (empty for single-manifest images).
    package var manifests: [(descriptor: Descriptor, bytes: [UInt8])]
    /// The top document: a manifest, or an index over ``manifests``.
    package var top: (descriptor: Descriptor, bytes: [UInt8])
}

/// Builds bytecode images without a container engine: one gzip layer with
/// the object, a config carrying the `io.ebpf.*` labels, a manifest per
/// platform and an index when there are several. The output is
/// reproducible: file times and the config's `created` come from
/// `SOURCE_DATE_EPOCH` (or 0).
package struct ImageBuilder: Sendable {
    /// Seconds since the epoch for timestamps.
    package var epoch: Int

    /// Creates a builder with timestamps at `epoch`.
    package init(epoch: Int) {
        self.epoch = epoch
    }

    /// Builds the image for `inputs`.
    ///
    /// - Throws: `.invalidArgument` when inputs are empty, when several
    ///   inputs lack a platform, or when a platform repeats.
    package func build(_ inputs: [BytecodeInput]) throws(ImageError) -> BuiltImage {
        guard !inputs.isEmpty else { throw ImageError(.invalidArgument, "image build: no bytecode given") }
        if inputs.count > 1 {
            let platforms = inputs.compactMap(\.platform?.description)
            guard platforms.count == inputs.count, Set(platforms).count == platforms.count else {
                throw ImageError(.invalidArgument, "image build: several objects need distinct linux/ARCH=FILE platforms")
            }
        }
        var blobs: [(descriptor: Descriptor, bytes: [UInt8])] = []
        var manifests: [(descriptor: Descriptor, bytes: [UInt8])] = []
        for input in inputs {
            var tar = TarWriter(modificationTime: epoch)
            tar.addFile(path: input.filename, contents: input.object)
            let layerTar = tar.finish()
            let layer = Gzip.compress(layerTar)
            let layerDescriptor = Descriptor(mediaType: MediaType.ociLayerGzip, digest: ImageDigest(of: layer), size: layer.count)
            let platform = input.platform ?? .host
            let config = ImageConfig(created: Timestamp.rfc3339(Int64(epoch)), architecture: platform.architecture, os: platform.os,
                                     config: .init(Labels: input.labels.imageLabels),
                                     rootfs: .init(type: "layers", diff_ids: [ImageDigest(of: layerTar)]))
            let configBytes = try Self.encode(config)
            let configDescriptor = Descriptor(mediaType: MediaType.ociConfig, digest: ImageDigest(of: configBytes), size: configBytes.count)
            blobs.append((layerDescriptor, layer))
            blobs.append((configDescriptor, configBytes))
            let manifestBytes = try Self.encode(ImageManifest(config: configDescriptor, layers: [layerDescriptor]))
            manifests.append((Descriptor(mediaType: MediaType.ociManifest, digest: ImageDigest(of: manifestBytes),
                                         size: manifestBytes.count, platform: input.platform), manifestBytes))
        }
        if inputs.count == 1 && inputs[0].platform == nil {
            return BuiltImage(blobs: blobs, manifests: [], top: manifests[0])
        }
        let indexBytes = try Self.encode(ImageIndex(manifests: manifests.map(\.descriptor)))
        let index = Descriptor(mediaType: MediaType.ociIndex, digest: ImageDigest(of: indexBytes), size: indexBytes.count)
        return BuiltImage(blobs: blobs, manifests: manifests, top: (index, indexBytes))
    }

    /// Pushes `image` to `reference` (under its tag, else `latest`) and
    /// returns the top digest.
    package static func push(_ image: BuiltImage, to reference: ImageReference,
                             credentials: CredentialSource) async throws(ImageError) -> ImageDigest {
        try await RegistryClient.with(credentials: credentials) { (client) throws(ImageError) in
            for blob in image.blobs { _ = try await client.push(blob: blob.bytes, mediaType: blob.descriptor.mediaType, to: reference) }
            for manifest in image.manifests {
                _ = try await client.push(manifest: manifest.bytes, mediaType: manifest.descriptor.mediaType, to: reference, tag: nil)
            }
            return try await client.push(manifest: image.top.bytes, mediaType: image.top.descriptor.mediaType, to: reference,
                                         tag: reference.digest == nil ? (reference.tag ?? "latest") : nil)
        }
    }

    /// Writes `image` as an OCI image layout in `directory`, naming it `tag`.
    package static func writeLayout(_ image: BuiltImage, to directory: String, tag: String) throws(ImageError) {
        let layout = try OCILayout(directory: directory)
        for blob in image.blobs + image.manifests + [image.top] { try layout.store(blob.bytes) }
        try layout.tag(image.top.descriptor, as: tag)
    }

    private static func encode(_ value: some Encodable) throws(ImageError) -> [UInt8] {
        do { return [UInt8](try JSONEncoder.canonical.encode(value)) } catch {
            throw ImageError(.internal, "encode image document: \(error)")
        }
    }
}
