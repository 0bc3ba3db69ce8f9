import Foundation

/// The "simple signing" payload cosign signs: which manifest digest the
/// signature vouches for, and under which repository name.
package struct SimpleSigningPayload: Codable, Sendable, Equatable {
    /// The signed claims.
    package struct Critical: Codable, Sendable, Equatable {
        /// `{"docker-reference": "<registry/repository>"}`.
        package var identity: [String: String]
        /// `{"docker-manifest-digest": "sha256:..."}`.
        package var image: [String: String]
        /// Always `cosign container image signature`.
        package var type: String
    }
    /// The signed claims.
    package var critical: Critical
    /// Free-form annotations (null in cosign's default payload).
    package var optional: [String: String]?

    /// cosign's payload type.
    package static let type = "cosign container image signature"

    /// The payload for `digest` of `reference`'s repository.
    package init(reference: ImageReference, digest: ImageDigest) {
        critical = Critical(identity: ["docker-reference": reference.repositoryName],
                            image: ["docker-manifest-digest": digest.description], type: Self.type)
        optional = nil
    }

    /// The digest the payload vouches for.
    package var manifestDigest: String? { critical.image["docker-manifest-digest"] }

    /// The serialized payload (sorted keys, `optional` as null).
    package var bytes: [UInt8] {
        struct Wire: Encodable {
            var critical: Critical
            var optional: [String: String]?
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(critical, forKey: .critical)
                try container.encode(optional, forKey: .optional)
            }
            enum CodingKeys: String, CodingKey { case critical, optional }
        }
        let data = (try? JSONEncoder.canonical.encode(Wire(critical: critical, optional: optional))) ?? Data()
        return [UInt8](data)
    }
}
