import Crypto
import Foundation

/// cosign-compatible signatures with a key pair (ECDSA P-256, SHA-256).
///
/// A signature for manifest `sha256:<hex>` lives in the same repository
/// under the tag `sha256-<hex>.sig`: an OCI manifest whose layers are
/// simple-signing payloads, each carrying the base64 DER signature in the
/// annotation `dev.cosignproject.cosign/signature`. Keyless signatures
/// (Fulcio certificates, Rekor entries) are not supported.
package enum Cosign {
    /// The annotation holding a layer's signature.
    package static let signatureAnnotation = "dev.cosignproject.cosign/signature"

    /// The tag under which signatures of `digest` are stored.
    package static func signatureTag(for digest: ImageDigest) -> String { "sha256-\(digest.hex).sig" }

    /// Reads a PEM public key (`-----BEGIN PUBLIC KEY-----`, P-256).
    ///
    /// - Throws: `.invalidArgument` naming `source` when it is not one.
    package static func publicKey(pem: String, source: String) throws(ImageError) -> P256.Signing.PublicKey {
        do { return try P256.Signing.PublicKey(pemRepresentation: pem) } catch {
            throw ImageError(.invalidArgument, "public key \(source): not a PEM ECDSA P-256 public key")
        }
    }

    /// Reads a PEM private key (PKCS#8 or SEC1, unencrypted, P-256).
    ///
    /// - Throws: `.invalidArgument` naming `source`; cosign's encrypted
    ///   key files are refused with a hint.
    package static func privateKey(pem: String, source: String) throws(ImageError) -> P256.Signing.PrivateKey {
        if pem.contains("ENCRYPTED") {
            throw ImageError(.unsupported, "private key \(source): encrypted keys are not supported; use an unencrypted PEM P-256 key")
        }
        do { return try P256.Signing.PrivateKey(pemRepresentation: pem) } catch {
            throw ImageError(.invalidArgument, "private key \(source): not a PEM ECDSA P-256 private key")
        }
    }

    /// What verifying an image found.
    package enum Verdict: Sendable, Equatable {
        /// A signature by one of the keys vouches for the digest.
        case verified
        /// The registry holds no signature for the digest.
        case unsigned
    }

    /// Checks the signatures of `digest` in `reference`'s repository
    /// against `keys`.
    ///
    /// - Returns: `.verified` when a payload for `digest` carries a valid
    ///   signature by one of `keys`; `.unsigned` when there is no signature.
    /// - Throws: `.permissionDenied` when signatures exist but none is valid
    ///   (wrong key, altered payload, or a payload for another digest).
    static func verify(_ reference: ImageReference, digest: ImageDigest, keys: [P256.Signing.PublicKey],
                       content: ContentSource) async throws(ImageError) -> Verdict {
        let signatureReference = reference.tagged(signatureTag(for: digest))
        let document: ContentSource.Document
        do {
            document = try await content.document(signatureReference)
        } catch where error.code == .notFound {
            return .unsigned
        }
        guard case .manifest(let manifest) = document.document else {
            throw ImageError(.invalidArgument, "signature \(signatureReference) is not a manifest")
        }
        var problems: [String] = []
        for layer in manifest.layers where layer.mediaType == MediaType.cosignSimpleSigning {
            guard let encoded = layer.annotations?[signatureAnnotation], let der = Data(base64Encoded: encoded) else {
                problems.append("layer \(layer.digest) has no signature annotation")
                continue
            }
            let payloadBytes = try await content.blob(layer, of: signatureReference, limit: 1 << 20)
            guard let payload = try? JSONDecoder().decode(SimpleSigningPayload.self, from: Data(payloadBytes)) else {
                problems.append("layer \(layer.digest) is not a simple-signing payload")
                continue
            }
            guard payload.manifestDigest == digest.description else {
                problems.append("payload \(layer.digest) signs \(payload.manifestDigest ?? "nothing"), not \(digest)")
                continue
            }
            guard let signature = try? P256.Signing.ECDSASignature(derRepresentation: der) else {
                problems.append("layer \(layer.digest) has a malformed signature")
                continue
            }
            if keys.contains(where: { $0.isValidSignature(signature, for: Data(payloadBytes)) }) { return .verified }
            problems.append("payload \(layer.digest): no trusted key made its signature")
        }
        throw ImageError(.permissionDenied, "image \(reference.pinned(to: digest)): signature verification failed: "
                         + (problems.isEmpty ? "no signature layers" : problems.joined(separator: "; ")))
    }

    /// Signs `digest` of `reference`'s repository with `key` and pushes the
    /// signature, appending to signatures already there.
    static func sign(_ reference: ImageReference, digest: ImageDigest, key: P256.Signing.PrivateKey,
                     client: RegistryClient) async throws(ImageError) -> ImageReference {
        let signatureReference = reference.tagged(signatureTag(for: digest))
        var layers: [Descriptor] = []
        do {
            if case .manifest(let existing) = try await client.manifest(signatureReference).document { layers = existing.layers }
        } catch where error.code == .notFound {}
        let payload = SimpleSigningPayload(reference: reference, digest: digest).bytes
        let signature: P256.Signing.ECDSASignature
        do { signature = try key.signature(for: Data(payload)) } catch {
            throw ImageError(.internal, "sign \(digest): \(error)")
        }
        var layer = try await client.push(blob: payload, mediaType: MediaType.cosignSimpleSigning, to: signatureReference)
        layer.annotations = [signatureAnnotation: signature.derRepresentation.base64EncodedString()]
        layers.removeAll { $0.digest == layer.digest }
        layers.append(layer)
        let config = ImageConfig(created: nil, architecture: "", os: "", config: nil,
                                 rootfs: .init(type: "layers", diff_ids: layers.map(\.digest)))
        let configBytes = [UInt8]((try? JSONEncoder.canonical.encode(config)) ?? Data())
        let configDescriptor = try await client.push(blob: configBytes, mediaType: MediaType.ociConfig, to: signatureReference)
        let manifest = ImageManifest(config: configDescriptor, layers: layers)
        let manifestBytes = [UInt8]((try? JSONEncoder.canonical.encode(manifest)) ?? Data())
        _ = try await client.push(manifest: manifestBytes, mediaType: MediaType.ociManifest, to: signatureReference,
                                  tag: signatureTag(for: digest))
        return signatureReference
    }
}
