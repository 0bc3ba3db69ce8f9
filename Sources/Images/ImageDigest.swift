import Crypto

/// A content digest, `sha256:<64 lowercase hex digits>`.
///
/// Only SHA-256 is accepted: it is what every registry and the OCI image
/// spec use by default, and the cache is keyed by it.
package struct ImageDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 64 lowercase hex digits.
    package let hex: String

    /// Parses `sha256:<hex>`.
    ///
    /// - Throws: `.invalidArgument` for another algorithm or a malformed value.
    package init(parsing text: String) throws(ImageError) {
        guard text.hasPrefix("sha256:") else {
            throw ImageError(.invalidArgument, "invalid digest \"\(text)\": only sha256 digests are supported")
        }
        let hex = String(text.dropFirst(7))
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw ImageError(.invalidArgument, "invalid digest \"\(text)\": expected 64 lowercase hex digits")
        }
        self.hex = hex
    }

    /// The digest of `bytes`.
    package init(of bytes: some Sequence<UInt8>) {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        self.hex = hasher.finalize().map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
        }.joined()
    }

    /// `sha256:<hex>`.
    package var description: String { "sha256:" + hex }

    /// Checks that `bytes` hash to this digest.
    ///
    /// - Throws: `.invalidArgument` naming `what` and both digests.
    package func verify(_ bytes: [UInt8], what: String) throws(ImageError) {
        let actual = ImageDigest(of: bytes)
        guard actual == self else {
            throw ImageError(.invalidArgument, "\(what): digest mismatch: expected \(self), got \(actual)")
        }
    }

    /// Decodes from the string form.
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes as the string form.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
