import Foundation

/// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/`),
/// as `skopeo copy oci:DIR:TAG` reads it.
struct OCILayout {
    let directory: String

    /// Opens or creates the layout at `directory`.
    init(directory: String) throws(ImageError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory + "/blobs/sha256", withIntermediateDirectories: true)
            let marker = directory + "/oci-layout"
            if !FileManager.default.fileExists(atPath: marker) {
                try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: marker))
            }
        } catch {
            throw ImageError(.permissionDenied, "write OCI layout \(directory): \(error.localizedDescription)")
        }
    }

    /// Stores a blob under its digest.
    func store(_ bytes: [UInt8]) throws(ImageError) {
        let path = "\(directory)/blobs/sha256/\(ImageDigest(of: bytes).hex)"
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ImageError(.permissionDenied, "write \(path): \(error.localizedDescription)")
        }
    }

    /// Points `tag` at `descriptor` in `index.json`, replacing an older entry of that name.
    func tag(_ descriptor: Descriptor, as tag: String) throws(ImageError) {
        let path = directory + "/index.json"
        var index = ImageIndex(manifests: [])
        if let data = FileManager.default.contents(atPath: path), let existing = try? JSONDecoder().decode(ImageIndex.self, from: data) {
            index = existing
        }
        let key = "org.opencontainers.image.ref.name"
        index.manifests.removeAll { $0.annotations?[key] == tag }
        var entry = descriptor
        entry.annotations = [key: tag]
        index.manifests.append(entry)
        do {
            try JSONEncoder.canonical.encode(index).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ImageError(.permissionDenied, "write \(path): \(error.localizedDescription)")
        }
    }
}
