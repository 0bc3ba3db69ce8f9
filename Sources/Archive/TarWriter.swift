/// Builds a deterministic POSIX ustar archive in memory.
///
/// Every entry has uid and gid 0, empty user and group names and the same
/// modification time, so the same calls always give the same bytes. A path
/// or link target that does not fit the ustar name fields gets a PAX `x`
/// header in front of its entry.
package struct TarWriter: Sendable {
    private var bytes: [UInt8] = []
    private let modificationTime: Int

    /// Creates an empty archive whose entries carry `modificationTime`
    /// (seconds since the epoch; negative values are written as 0).
    package init(modificationTime: Int = 0) {
        self.modificationTime = max(0, modificationTime)
    }

    /// Appends a regular file.
    package mutating func addFile(path: String, contents: [UInt8], mode: UInt32 = 0o644) {
        appendHeader(path: path, typeflag: UInt8(ascii: "0"), mode: mode, size: contents.count)
        bytes += contents
        padToBlock()
    }

    /// Appends a directory; a `/` is added to `path` when missing.
    package mutating func addDirectory(path: String, mode: UInt32 = 0o755) {
        appendHeader(path: path.hasSuffix("/") ? path : path + "/", typeflag: UInt8(ascii: "5"), mode: mode)
    }

    /// Appends a symbolic link to `target`, stored as given.
    package mutating func addSymbolicLink(path: String, target: String) {
        appendHeader(path: path, typeflag: UInt8(ascii: "2"), mode: 0o777, link: target)
    }

    /// Appends a hard link to the earlier entry named `target`.
    package mutating func addHardLink(path: String, target: String, mode: UInt32 = 0o644) {
        appendHeader(path: path, typeflag: UInt8(ascii: "1"), mode: mode, link: target)
    }

    /// The archive: the entries so far, then the two zero blocks that end it.
    package func finish() -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: 2 * TarReader.blockSize)
    }

    private mutating func padToBlock() {
        let partial = bytes.count % TarReader.blockSize
        if partial != 0 { bytes += [UInt8](repeating: 0, count: TarReader.blockSize - partial) }
    }

    private mutating func appendHeader(path: String, typeflag: UInt8, mode: UInt32, link: String = "", size: Int = 0) {
        let pathBytes = Array(path.utf8)
        let linkBytes = Array(link.utf8)
        var name = pathBytes
        var prefix: [UInt8] = []
        var records: [(String, [UInt8])] = []
        if pathBytes.count > 100 || pathBytes.contains(0) {
            if !pathBytes.contains(0), let split = Self.splitUSTAR(pathBytes) {
                (prefix, name) = split
            } else {
                records.append(("path", pathBytes))
                name = Array(pathBytes.prefix(while: { $0 != 0 }).prefix(100))
            }
        }
        if linkBytes.count > 100 || linkBytes.contains(0) {
            records.append(("linkpath", linkBytes))
        }
        if !records.isEmpty {
            var data: [UInt8] = []
            for (key, value) in records { data += Self.paxRecord(key: key, value: value) }
            bytes += header(name: Array("PaxHeader".utf8), prefix: [], typeflag: UInt8(ascii: "x"), mode: 0o644,
                            link: [], size: data.count)
            bytes += data
            padToBlock()
        }
        bytes += header(name: name, prefix: prefix, typeflag: typeflag, mode: mode,
                        link: Array(linkBytes.prefix(while: { $0 != 0 }).prefix(100)), size: size)
    }

    private func header(name: [UInt8], prefix: [UInt8], typeflag: UInt8, mode: UInt32, link: [UInt8], size: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: TarReader.blockSize)
        func put(_ value: [UInt8], at offset: Int) {
            for (index, byte) in value.enumerated() { block[offset + index] = byte }
        }
        put(name, at: 0)
        put(Self.octal(Int(mode & 0o7777777), width: 8), at: 100)
        put(Self.octal(0, width: 8), at: 108)
        put(Self.octal(0, width: 8), at: 116)
        put(Self.numeric(size, width: 12), at: 124)
        put(Self.numeric(modificationTime, width: 12), at: 136)
        block[156] = typeflag
        put(link, at: 157)
        put(Array("ustar\u{0}00".utf8), at: 257)
        put(Self.octal(0, width: 8), at: 329)
        put(Self.octal(0, width: 8), at: 337)
        put(prefix, at: 345)
        // The checksum is taken with its own field as spaces, then written as
        // six octal digits, a NUL and a space.
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(Self.octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return block
    }

    /// `value` as zero-padded octal digits filling `width - 1` bytes, then a NUL.
    static func octal(_ value: Int, width: Int) -> [UInt8] {
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width - 1)
        var rest = value
        var index = digits.count - 1
        while rest > 0, index >= 0 {
            digits[index] = UInt8(ascii: "0") + UInt8(rest & 7)
            rest >>= 3
            index -= 1
        }
        return digits + [0]
    }

    /// Octal when `value` fits in `width - 1` digits, else GNU base-256.
    static func numeric(_ value: Int, width: Int) -> [UInt8] {
        if value < 1 << (3 * (width - 1)) { return octal(value, width: width) }
        var field = [UInt8](repeating: 0, count: width)
        var rest = value
        for index in stride(from: width - 1, to: 0, by: -1) {
            field[index] = UInt8(truncatingIfNeeded: rest)
            rest >>= 8
        }
        field[0] = 0x80
        return field
    }

    /// Splits a path longer than 100 bytes at a `/` into a prefix of at most
    /// 155 bytes and a name of at most 100, or nil when no split fits.
    static func splitUSTAR(_ path: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        let slash = UInt8(ascii: "/")
        var limit = min(path.count, 156)
        if limit == path.count, path.last == slash { limit -= 1 }
        guard let cut = path[..<limit].lastIndex(of: slash), cut > 0 else { return nil }
        let name = path[(cut + 1)...]
        guard !name.isEmpty, name.count <= 100 else { return nil }
        return (Array(path[..<cut]), Array(name))
    }

    /// One PAX record, `"%d key=value\n"`, whose length counts its own digits.
    static func paxRecord(key: String, value: [UInt8]) -> [UInt8] {
        let body = [UInt8(ascii: " ")] + Array(key.utf8) + [UInt8(ascii: "=")] + value + [UInt8(ascii: "\n")]
        var length = body.count + String(body.count).utf8.count
        if String(length).utf8.count > String(body.count).utf8.count { length = body.count + String(length).utf8.count }
        return Array(String(length).utf8) + body
    }
}
