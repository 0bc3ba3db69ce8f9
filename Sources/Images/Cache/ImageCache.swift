import Foundation
import Logs

/// The on-disk image cache (`--image-cache-dir`, default `/var/cache/bpfman`).
///
/// Layout:
/// - `blobs/sha256/<hex>`: manifests, indexes, configs and layers, by digest;
/// - `refs/<hex>`: what a tag reference last resolved to, keyed by the
///   SHA-256 of the canonical reference, as `{"reference","digest"}`;
/// - `bytecode/<hex>.o`: the object extracted from a platform manifest's
///   layers, keyed by that manifest's digest;
/// - `tmp/`: files being written.
///
/// Every file is written to `tmp/` and renamed into place, and blobs are
/// verified before the rename, so concurrent pulls of the same image race
/// harmlessly and a crash never leaves a partial file under its final name.
/// Names are derived from digests only, never from registry-supplied paths.
package struct ImageCache: Sendable {
    /// The cache root.
    package let root: String

    /// Opens (creating if needed) the cache at `root`.
    ///
    /// - Throws: `.permissionDenied` or `.internal` when the directories
    ///   cannot be created.
    package init(root: String) throws(ImageError) {
        self.root = root
        for directory in ["blobs/sha256", "refs", "bytecode", "tmp"] {
            do {
                try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
            } catch {
                throw ImageError(.permissionDenied, "create image cache \(root)/\(directory): \(error.localizedDescription)")
            }
        }
    }

    /// The path a blob is stored under.
    package func blobPath(_ digest: ImageDigest) -> String { "\(root)/blobs/sha256/\(digest.hex)" }

    /// The cached blob, or nil. A cached file that no longer matches its
    /// digest (disk corruption, tampering) is removed and reported missing.
    package func blob(_ digest: ImageDigest) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: blobPath(digest)) else { return nil }
        let bytes = [UInt8](data)
        guard ImageDigest(of: bytes) == digest else {
            let log = Logger.bpfman(.image)
            log.warning("removing a cached blob whose content does not match its digest; it is pulled again", metadata: [LogKey.path: .string(blobPath(digest))])
            log.attempt("removing the mismatched blob", metadata: [LogKey.path: .string(blobPath(digest))]) {
                try FileManager.default.removeItem(atPath: blobPath(digest))
            }
            return nil
        }
        return bytes
    }

    /// Stores `bytes` under their digest and returns it.
    @discardableResult
    package func store(blob bytes: [UInt8]) throws(ImageError) -> ImageDigest {
        let digest = ImageDigest(of: bytes)
        try write(bytes, to: blobPath(digest))
        return digest
    }

    /// What `reference` (a tag) last resolved to.
    package func resolved(_ reference: ImageReference) -> ImageDigest? {
        if let digest = reference.digest { return digest }
        struct Entry: Decodable { var reference: String; var digest: ImageDigest }
        guard let data = FileManager.default.contents(atPath: refPath(reference)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.reference == reference.description else { return nil }
        return entry.digest
    }

    /// Records that `reference` resolves to `digest`.
    package func record(_ reference: ImageReference, resolvesTo digest: ImageDigest) throws(ImageError) {
        guard reference.digest == nil else { return }
        let text = BytecodeLabels.encodeObject(["reference": reference.description, "digest": digest.description])
        try write(Array(text.utf8), to: refPath(reference))
    }

    /// The extracted object for platform manifest `digest`, if cached.
    package func bytecodePath(_ digest: ImageDigest) -> String { "\(root)/bytecode/\(digest.hex).o" }

    /// Stores the object extracted for platform manifest `digest`.
    package func store(bytecode bytes: [UInt8], for digest: ImageDigest) throws(ImageError) {
        try write(bytes, to: bytecodePath(digest))
    }

    private func refPath(_ reference: ImageReference) -> String {
        "\(root)/refs/\(ImageDigest(of: Array(reference.description.utf8)).hex)"
    }

    private func write(_ bytes: [UInt8], to path: String) throws(ImageError) {
        let temporary = "\(root)/tmp/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o644]) else {
            throw ImageError(.internal, "write image cache file \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ImageError(.internal, "store image cache file \(path): \(reason)")
        }
    }
}
