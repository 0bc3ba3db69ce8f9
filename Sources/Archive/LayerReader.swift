import Diagnostics

/// Bounds on one OCI layer blob and what it unpacks to.
package struct LayerLimits: Sendable, Equatable {
    /// Largest blob, as stored (compressed or not), in bytes.
    package var compressedBytes: Int
    /// Largest uncompressed tar stream, and largest total of file contents, in bytes.
    package var uncompressedBytes: Int
    /// Most tar entries in the layer.
    package var entries: Int

    /// Creates limits.
    package init(compressedBytes: Int, uncompressedBytes: Int, entries: Int) {
        self.compressedBytes = compressedBytes
        self.uncompressedBytes = uncompressedBytes
        self.entries = entries
    }

    /// 256 MiB compressed, 512 MiB uncompressed, 10 000 entries.
    package static let `default` = LayerLimits(compressedBytes: 256 << 20, uncompressedBytes: 512 << 20, entries: 10_000)
}

/// Reads the regular files of an OCI image layer into memory, refusing any
/// layer that would be unsafe to unpack.
///
/// Nothing is ever written to disk: the result is a map from normalised
/// relative path to contents.
package enum LayerReader {
    /// Longest entry name or link target accepted, as Linux's `PATH_MAX`.
    static let maxNameLength = 4096
    /// Most symbolic links followed resolving one link, as Linux's `ELOOP` limit.
    static let maxSymlinkHops = 40

    /// The regular files of `blob`, a plain or gzip-compressed tar layer,
    /// keyed by normalised relative path (`./a/b.o` and `/a/b.o` become `a/b.o`).
    ///
    /// - Symbolic links whose target resolves to a regular file inside the
    ///   layer, and hard links to an earlier regular file, appear with their
    ///   target's contents. Symbolic links to directories, and links whose
    ///   target is not in this layer (it may be in a lower one), are left out.
    /// - Directories, OCI whiteouts (`.wh.` names) and unknown entry types
    ///   are skipped. A later entry for the same path replaces an earlier one.
    /// - The whole layer is refused when any entry's name or link target
    ///   escapes the layer root (`..` past the root, or an absolute symbolic
    ///   link target), a name holds a NUL byte or is longer than 4096 bytes,
    ///   a hard link names no earlier regular file, or an entry is a device
    ///   file or fifo.
    ///
    /// - Throws: `.invalidArgument` for a refused, corrupt or over-limit
    ///   layer; `.unsupported` for zstd, xz and bzip2 layers.
    package static func files(in blob: [UInt8], limits: LayerLimits = .default) throws(ArchiveError) -> [String: [UInt8]] {
        guard blob.count <= limits.compressedBytes else {
            throw ArchiveError(.invalidArgument, "read layer: blob of \(blob.count) bytes exceeds the limit of \(limits.compressedBytes) bytes")
        }
        let tar = try uncompressed(blob, limit: limits.uncompressedBytes)
        let tarLimits = TarLimits(maxEntries: limits.entries, maxEntrySize: limits.uncompressedBytes,
                                  maxTotalSize: limits.uncompressedBytes)
        var tree = LayerTree()
        for entry in try TarReader.entries(in: tar, limits: tarLimits) {
            try tree.add(entry)
        }
        return try tree.files()
    }

    /// The tar stream inside `blob`, decompressed when it is gzip.
    static func uncompressed(_ blob: [UInt8], limit: Int) throws(ArchiveError) -> [UInt8] {
        if Gzip.isGzip(blob) { return try Gzip.decompress(blob, limit: limit) }
        if blob.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
            throw ArchiveError(.unsupported, "read layer: zstd layers are not supported")
        }
        if blob.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) {
            throw ArchiveError(.unsupported, "read layer: xz layers are not supported")
        }
        if blob.starts(with: Array("BZh".utf8)) {
            throw ArchiveError(.unsupported, "read layer: bzip2 layers are not supported")
        }
        guard blob.count <= limit else {
            throw ArchiveError(.invalidArgument, "read layer: tar stream of \(blob.count) bytes exceeds the limit of \(limit) bytes")
        }
        return blob
    }

    /// The components of `path` resolved lexically from `base`: empty and
    /// `.` components dropped, `..` removing the one before. Nil when `..`
    /// climbs above the root.
    static func normalise(_ path: String, from base: [Substring] = []) -> [Substring]? {
        var parts = base
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts
    }
}

/// What a layer path holds once its entries have been applied in order.
enum LayerNode {
    case file([UInt8])
    case directory
    case symbolicLink(String)
}

/// The layer's entries applied in order, keyed by normalised path.
struct LayerTree {
    var nodes: [String: LayerNode] = [:]

    /// Checks `entry` and records what it adds to the layer.
    mutating func add(_ entry: TarEntry) throws(ArchiveError) {
        try Self.checkName(entry.path, of: entry.path, what: "name")
        guard let parts = LayerReader.normalise(entry.path) else {
            throw ArchiveError.entry(entry.path, "path escapes the layer")
        }
        if let last = parts.last, last.hasPrefix(".wh.") { return }
        let key = parts.joined(separator: "/")
        switch entry.kind {
        case .directory:
            if !key.isEmpty { nodes[key] = .directory }
        case .regularFile:
            guard !key.isEmpty else { throw ArchiveError.entry(entry.path, "a file cannot be the layer root") }
            nodes[key] = .file(entry.contents)
        case .symbolicLink(let target):
            try Self.checkName(target, of: entry.path, what: "symbolic link target")
            guard !target.isEmpty else { throw ArchiveError.entry(entry.path, "symbolic link has an empty target") }
            guard !target.hasPrefix("/"), LayerReader.normalise(target, from: Array(parts.dropLast())) != nil else {
                throw ArchiveError.entry(entry.path, "symbolic link target \(ArchiveError.quoted(target)) escapes the layer")
            }
            guard !key.isEmpty else { throw ArchiveError.entry(entry.path, "a symbolic link cannot be the layer root") }
            nodes[key] = .symbolicLink(target)
        case .hardLink(let target):
            try Self.checkName(target, of: entry.path, what: "hard link target")
            guard let targetParts = LayerReader.normalise(target) else {
                throw ArchiveError.entry(entry.path, "hard link target \(ArchiveError.quoted(target)) escapes the layer")
            }
            guard case .file(let contents)? = nodes[targetParts.joined(separator: "/")] else {
                throw ArchiveError.entry(entry.path, "hard link target \(ArchiveError.quoted(target)) is not an earlier regular file in the layer")
            }
            guard !key.isEmpty else { throw ArchiveError.entry(entry.path, "a hard link cannot be the layer root") }
            nodes[key] = .file(contents)
        case .characterDevice, .blockDevice:
            throw ArchiveError.entry(entry.path, "device files are not allowed")
        case .fifo:
            throw ArchiveError.entry(entry.path, "fifos are not allowed")
        case .other:
            break
        }
    }

    /// Refuses a name or link target holding a NUL byte or longer than `PATH_MAX`.
    static func checkName(_ name: String, of path: String, what: String) throws(ArchiveError) {
        if name.utf8.contains(0) {
            throw ArchiveError.entry(path, "\(what) contains a NUL byte")
        }
        if name.utf8.count > LayerReader.maxNameLength {
            throw ArchiveError.entry(path, "\(what) is longer than \(LayerReader.maxNameLength) bytes")
        }
    }

    /// Regular files, and symbolic links resolved to the regular files they point at.
    func files() throws(ArchiveError) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var links: [(path: String, target: String)] = []
        for (path, node) in nodes {
            switch node {
            case .file(let contents): files[path] = contents
            case .symbolicLink(let target): links.append((path, target))
            case .directory: break
            }
        }
        guard !links.isEmpty else { return files }
        var resolver = SymlinkResolver(nodes: nodes)
        // In path order, so that the same bad layer always fails the same way.
        for link in links.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            if case .file(let contents) = try resolver.resolve(link.path, target: link.target) {
                files[link.path] = contents
            }
        }
        return files
    }
}

/// Follows symbolic links through the layer's entries as the kernel would
/// through a file system, never leaving the layer root.
struct SymlinkResolver {
    /// Where a link ends up.
    enum Outcome {
        case file([UInt8])
        case directory
        /// The target is not in this layer, or a path component is not a directory.
        case missing
    }

    let nodes: [String: LayerNode]
    /// Every node path as UTF-8, sorted, built on first use to find the
    /// directories that exist only as parents of deeper entries.
    private var sortedPaths: [[UInt8]]?
    /// Bytes of path still allowed to be looked up, across all links; bounds
    /// the work a hostile layer of long, deeply chained links can cause.
    private var budget = 64 << 20

    init(nodes: [String: LayerNode]) {
        self.nodes = nodes
    }

    /// Resolves the symbolic link at normalised `path` pointing at `target`.
    ///
    /// - Throws: `.invalidArgument` when resolution climbs above the layer
    ///   root, or needs more than 40 links.
    mutating func resolve(_ path: String, target: String) throws(ArchiveError) -> Outcome {
        var pending = Array((path.split(separator: "/").dropLast() + target.split(separator: "/")).reversed())
        var resolved: [Substring] = []
        var hops = 1
        while let part = pending.popLast() {
            if part == "." { continue }
            if part == ".." {
                guard !resolved.isEmpty else {
                    throw ArchiveError.entry(path, "symbolic link target \(ArchiveError.quoted(target)) escapes the layer")
                }
                resolved.removeLast()
                continue
            }
            resolved.append(part)
            let key = resolved.joined(separator: "/")
            budget -= key.utf8.count
            guard budget >= 0 else {
                throw ArchiveError.entry(path, "resolving symbolic link target \(ArchiveError.quoted(target)) takes too many lookups")
            }
            switch nodes[key] {
            case .symbolicLink(let next)?:
                hops += 1
                guard hops <= LayerReader.maxSymlinkHops else {
                    throw ArchiveError.entry(path, "symbolic link target \(ArchiveError.quoted(target)) loops or follows more than \(LayerReader.maxSymlinkHops) links")
                }
                resolved.removeLast()
                pending.append(contentsOf: next.split(separator: "/").reversed())
            case .file(let contents)?:
                return pending.isEmpty ? .file(contents) : .missing
            case .directory?:
                continue
            case nil:
                if !isImplicitDirectory(key) { return .missing }
            }
        }
        return .directory
    }

    /// Whether some node lies below `key`.
    private mutating func isImplicitDirectory(_ key: String) -> Bool {
        let paths = sortedPaths ?? nodes.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
        sortedPaths = paths
        let prefix = Array(key.utf8) + [UInt8(ascii: "/")]
        var low = 0
        var high = paths.count
        while low < high {
            let middle = (low + high) / 2
            if paths[middle].lexicographicallyPrecedes(prefix) { low = middle + 1 } else { high = middle }
        }
        return low < paths.count && paths[low].starts(with: prefix)
    }
}
