import Foundation

/// A content descriptor: what a manifest says about a blob it refers to.
package struct Descriptor: Codable, Sendable, Equatable {
    /// The blob's media type.
    package var mediaType: String
    /// The blob's digest.
    package var digest: ImageDigest
    /// The blob's size in bytes.
    package var size: Int
    /// For index entries: the platform the manifest is for.
    package var platform: Platform?
    /// Free-form annotations (cosign stores its signature here).
    package var annotations: [String: String]?

    /// Creates a descriptor.
    package init(mediaType: String, digest: ImageDigest, size: Int, platform: Platform? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }
}

/// An OS and architecture pair, as image indexes name them.
package struct Platform: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The operating system, `linux`.
    package var os: String
    /// The architecture in Go's naming: `amd64`, `arm64`, `s390x`, ...
    package var architecture: String
    /// The architecture variant, such as `v8`.
    package var variant: String?

    /// Creates a platform.
    package init(os: String = "linux", architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// Parses `os/arch[/variant]`.
    ///
    /// - Throws: `.invalidArgument` when the text has not two or three parts.
    package init(parsing text: String) throws(ImageError) {
        let parts = text.split(separator: "/").map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw ImageError(.invalidArgument, "invalid platform \"\(text)\": expected os/arch[/variant]")
        }
        self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
    }

    /// `os/arch[/variant]`.
    package var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }

    /// The platform this process runs on.
    package static var host: Platform {
        #if arch(x86_64)
        Platform(architecture: "amd64")
        #elseif arch(arm64)
        Platform(architecture: "arm64")
        #elseif arch(s390x)
        Platform(architecture: "s390x")
        #elseif arch(powerpc64le)
        Platform(architecture: "ppc64le")
        #else
        Platform(architecture: "unknown")
        #endif
    }

    /// Whether objects for this architecture are big-endian.
    package var isBigEndian: Bool { ["s390x", "ppc64", "mips", "mips64"].contains(architecture) }
}

/// An image manifest: a config blob and layers.
package struct ImageManifest: Codable, Sendable, Equatable {
    /// Always 2.
    package var schemaVersion: Int
    /// The manifest's own media type.
    package var mediaType: String?
    /// The config blob.
    package var config: Descriptor
    /// The layers, in order.
    package var layers: [Descriptor]
    /// Annotations.
    package var annotations: [String: String]?

    /// Creates a manifest.
    package init(mediaType: String = MediaType.ociManifest, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// An image index or manifest list: one manifest per platform.
package struct ImageIndex: Codable, Sendable, Equatable {
    /// Always 2.
    package var schemaVersion: Int
    /// The index's own media type.
    package var mediaType: String?
    /// The platform manifests.
    package var manifests: [Descriptor]

    /// Creates an index.
    package init(mediaType: String = MediaType.ociIndex, manifests: [Descriptor]) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
    }
}

/// The parts of an image config bpfman reads: the labels, and the platform.
package struct ImageConfig: Codable, Sendable, Equatable {
    /// The runtime config, holding the labels.
    package struct RuntimeConfig: Codable, Sendable, Equatable {
        /// The image labels.
        package var Labels: [String: String]?
    }
    /// The creation time, RFC 3339.
    package var created: String?
    /// The architecture.
    package var architecture: String?
    /// The operating system.
    package var os: String?
    /// The runtime config.
    package var config: RuntimeConfig?
    /// The layer diff ids (digests of the uncompressed layers).
    package var rootfs: RootFS?

    /// The `rootfs` section.
    package struct RootFS: Codable, Sendable, Equatable {
        /// Always `layers`.
        package var type: String
        /// One diff id per layer.
        package var diff_ids: [ImageDigest]
    }

    /// The image labels, empty when there are none.
    package var labels: [String: String] { config?.Labels ?? [:] }
}

/// A manifest document as fetched: either an index or a single manifest.
package enum ManifestDocument: Sendable, Equatable {
    /// An index or manifest list.
    case index(ImageIndex)
    /// A single-platform manifest.
    case manifest(ImageManifest)

    /// Decodes `bytes`, served with content type `contentType` (may be nil).
    ///
    /// - Throws: `.invalidArgument` for JSON that is neither.
    package init(decoding bytes: [UInt8], contentType: String?) throws(ImageError) {
        struct Probe: Decodable { var mediaType: String?; var manifests: [Descriptor]?; var schemaVersion: Int? }
        let data = Data(bytes)
        do {
            let probe = try JSONDecoder().decode(Probe.self, from: data)
            if probe.schemaVersion == 1 {
                throw ImageError(.unsupported, "manifest schema version 1 is not supported")
            }
            let type = probe.mediaType ?? contentType
            if MediaType.isIndex(type) || (type == nil && probe.manifests != nil) {
                self = .index(try JSONDecoder().decode(ImageIndex.self, from: data))
            } else {
                self = .manifest(try JSONDecoder().decode(ImageManifest.self, from: data))
            }
        } catch let error as ImageError {
            throw error
        } catch {
            throw ImageError(.invalidArgument, "decode manifest: \(error)")
        }
    }
}

extension JSONEncoder {
    /// An encoder for image documents: sorted keys, no escaped slashes, so
    /// the same document always has the same digest.
    package static var canonical: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
