import Crypto
import Foundation
import Model

extension SigningPolicy {
    /// The trusted keys, read from ``publicKeyPaths``.
    ///
    /// - Throws: `.invalidArgument` or `.notFound` naming a file that is
    ///   missing or holds no P-256 public key.
    package func trustedKeys() throws(ImageError) -> [P256.Signing.PublicKey] {
        var keys: [P256.Signing.PublicKey] = []
        for path in publicKeyPaths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ImageError(.notFound, "public key \(path): cannot read the file")
            }
            keys.append(try Cosign.publicKey(pem: String(decoding: data, as: UTF8.self), source: path))
        }
        return keys
    }
}

/// The outcome of applying a ``SigningPolicy`` to an image.
package enum SignatureCheck: String, Sendable, Equatable {
    /// A trusted key signed the image's digest.
    case verified = "signature verified"
    /// The image is unsigned (or no key is trusted) and the policy allows it.
    case unsignedAccepted = "unsigned image accepted by policy"
    /// The policy turns verification off.
    case disabled = "signature verification disabled"

    /// Applies `policy` to `digest` of `reference`.
    ///
    /// - Throws: `.permissionDenied` for an unsigned image the policy
    ///   refuses, or for signatures that exist but do not verify.
    static func apply(_ policy: SigningPolicy, to reference: ImageReference, digest: ImageDigest,
                      content: ContentSource) async throws(ImageError) -> SignatureCheck {
        guard policy.verifyEnabled else { return .disabled }
        let keys = try policy.trustedKeys()
        let verdict: Cosign.Verdict = keys.isEmpty ? .unsigned : try await Cosign.verify(reference, digest: digest, keys: keys, content: content)
        switch verdict {
        case .verified:
            return .verified
        case .unsigned where policy.allowUnsigned:
            return .unsignedAccepted
        case .unsigned:
            throw ImageError(.permissionDenied, keys.isEmpty
                ? "image \(reference): unsigned images are not allowed and no trusted public key is configured"
                : "image \(reference): no signature found for \(digest) and unsigned images are not allowed")
        }
    }
}
