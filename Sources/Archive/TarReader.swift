import Diagnostics

/// One entry of a tar archive, with GNU and PAX extended headers applied.
package struct TarEntry: Sendable, Equatable {
    /// What an entry is, from the header's typeflag.
    package enum Kind: Sendable, Equatable {
        /// A regular file (typeflag `0`, NUL or the contiguous file `7`).
        case regularFile
        /// A directory (typeflag `5`, or an old-style regular file whose name ends in `/`).
        case directory
        /// A symbolic link (typeflag `2`) to `target`, as stored.
        case symbolicLink(target: String)
        /// A hard link (typeflag `1`) to the earlier entry named `target`.
        case hardLink(target: String)
        /// A character device node (typeflag `3`).
        case characterDevice
        /// A block device node (typeflag `4`).
        case blockDevice
        /// A named pipe (typeflag `6`).
        case fifo
        /// Any other typeflag, kept as its byte; the entry's data is read as for a file.
        case other(UInt8)
    }

    /// The entry's name as stored, after the ustar prefix, GNU long name and
    /// PAX `path` are applied; not normalised, and untrusted.
    package var path: String
    /// What the entry is.
    package var kind: Kind
    /// Permission bits, including setuid, setgid and sticky (`mode & 0o7777`).
    package var mode: UInt32
    /// The data of a regular file or other entry; empty for links, directories and devices.
    package var contents: [UInt8]

    /// Creates an entry.
    package init(path: String, kind: Kind, mode: UInt32, contents: [UInt8]) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.contents = contents
    }
}

/// Bounds on what a tar archive may hold, checked before any data is copied.
package struct TarLimits: Sendable, Equatable {
    /// Most entries, not counting GNU and PAX extended headers.
    package var maxEntries: Int
    /// Largest data size of one entry, in bytes.
    package var maxEntrySize: Int
    /// Largest data size of all entries and extended headers together, in bytes.
    package var maxTotalSize: Int

    /// Creates limits.
    package init(maxEntries: Int, maxEntrySize: Int, maxTotalSize: Int) {
        self.maxEntries = maxEntries
        self.maxEntrySize = maxEntrySize
        self.maxTotalSize = maxTotalSize
    }

    /// 10 000 entries, 256 MiB per entry, 512 MiB in all.
    package static let `default` = TarLimits(maxEntries: 10_000, maxEntrySize: 256 << 20, maxTotalSize: 512 << 20)
}

/// Parses POSIX ustar, GNU and PAX tar archives held in memory.
package enum TarReader {
    /// Size of a tar block and header.
    static let blockSize = 512
    /// Largest GNU long name or PAX header accepted, as in Go's archive/tar.
    static let maxExtendedHeaderSize = 1 << 20

    /// Every entry of `archive`, in order.
    ///
    /// Headers must have valid checksums. The archive ends at two zero
    /// blocks (anything after them is ignored) or right after the last
    /// entry's padding. GNU long names (`L`) and long link names (`K`) and
    /// PAX extended headers (`x`: `path`, `linkpath` and `size`) apply to the
    /// next entry; PAX global headers (`g`) are skipped.
    ///
    /// - Throws: `.invalidArgument` for a bad checksum or numeric field, a
    ///   truncated archive, malformed extended headers, or an archive beyond
    ///   `limits`; `.unsupported` for GNU sparse files.
    package static func entries(in archive: [UInt8], limits: TarLimits = .default) throws(ArchiveError) -> [TarEntry] {
        var parser = TarParser(archive: archive, limits: limits)
        return try parser.run()
    }
}

/// Walks an archive block by block, carrying extended headers to the entry they describe.
struct TarParser {
    let archive: [UInt8]
    let limits: TarLimits
    var offset = 0
    var entries: [TarEntry] = []
    var totalSize = 0
    /// Where the first extended header not yet applied to an entry starts.
    var extendedAt: Int?
    var longName: String?
    var longLink: String?
    var pax: [String: String] = [:]

    init(archive: [UInt8], limits: TarLimits) {
        self.archive = archive
        self.limits = limits
    }

    mutating func run() throws(ArchiveError) -> [TarEntry] {
        while true {
            let remaining = archive.count - offset
            if remaining == 0 {
                try checkNoPendingExtendedHeader()
                return entries
            }
            guard remaining >= TarReader.blockSize else {
                throw ArchiveError(.invalidArgument, "read tar archive: truncated header at offset \(offset)")
            }
            if isZero(offset..<offset + TarReader.blockSize) {
                try checkNoPendingExtendedHeader()
                let next = offset + TarReader.blockSize
                guard isZero(next..<min(next + TarReader.blockSize, archive.count)) else {
                    throw ArchiveError(.invalidArgument, "read tar archive: zero block at offset \(offset) is followed by data")
                }
                return entries
            }
            try readEntry()
        }
    }

    private func checkNoPendingExtendedHeader() throws(ArchiveError) {
        if let extendedAt {
            throw ArchiveError(.invalidArgument, "read tar archive: extended header at offset \(extendedAt) is not followed by an entry")
        }
    }

    private func isZero(_ range: Range<Int>) -> Bool {
        archive[range].allSatisfy { $0 == 0 }
    }

    /// Reads the header at `offset` and its data, and moves past both.
    private mutating func readEntry() throws(ArchiveError) {
        let header = TarHeader(archive[offset..<offset + TarReader.blockSize])
        let at = offset
        guard header.checksumMatches else {
            throw ArchiveError(.invalidArgument, "read tar archive: header at offset \(at) has a bad checksum (corrupt or not a tar archive)")
        }
        guard let headerSize = header.size else {
            throw ArchiveError(.invalidArgument, "read tar archive: header at offset \(at) has an invalid size field")
        }
        guard let mode = header.mode else {
            throw ArchiveError(.invalidArgument, "read tar archive: header at offset \(at) has an invalid mode field")
        }
        let flag = header.typeflag
        switch flag {
        case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
            try readExtendedHeader(flag, size: headerSize, at: at)
            return
        case UInt8(ascii: "S"):
            throw ArchiveError(.unsupported, "read tar entry \(ArchiveError.quoted(header.name)): GNU sparse files are not supported")
        default:
            break
        }

        if pax.keys.contains(where: { $0.hasPrefix("GNU.sparse.") }) {
            throw ArchiveError(.unsupported, "read tar entry \(ArchiveError.quoted(header.name)): PAX sparse files are not supported")
        }
        let path = nonEmpty(pax["path"]) ?? longName ?? header.name
        let link = nonEmpty(pax["linkpath"]) ?? longLink ?? header.linkName
        var size = headerSize
        if let text = nonEmpty(pax["size"]) {
            guard let value = Self.decimal(text) else {
                throw ArchiveError(.invalidArgument, "read tar entry \(ArchiveError.quoted(path)): invalid PAX size \(ArchiveError.quoted(text))")
            }
            size = value
        }
        let kind = Self.kind(flag, path: path, link: link)
        switch kind {
        case .regularFile, .other: break
        // Like Go's archive/tar, these types never carry data, whatever the size field says.
        default: size = 0
        }

        guard entries.count < limits.maxEntries else {
            throw ArchiveError(.invalidArgument, "read tar archive: more than \(limits.maxEntries) entries exceeds the limit")
        }
        let contents = try readData(size: size, limit: limits.maxEntrySize, name: "tar entry \(ArchiveError.quoted(path))")
        entries.append(TarEntry(path: path, kind: kind, mode: UInt32(mode & 0o7777), contents: contents))
        extendedAt = nil
        longName = nil
        longLink = nil
        pax = [:]
    }

    /// Reads a GNU long name or link, or a PAX header, to apply to the next entry.
    private mutating func readExtendedHeader(_ flag: UInt8, size: Int, at: Int) throws(ArchiveError) {
        let kind = flag == UInt8(ascii: "L") || flag == UInt8(ascii: "K") ? "GNU long name" : "PAX header"
        let name = "tar \(kind) at offset \(at)"
        let data = try readData(size: size, limit: TarReader.maxExtendedHeaderSize, name: name)
        switch flag {
        case UInt8(ascii: "g"):
            // Global defaults are ignored, as the OCI image spec allows.
            return
        case UInt8(ascii: "L"), UInt8(ascii: "K"):
            var end = data.endIndex
            while end > data.startIndex && data[end - 1] == 0 { end -= 1 }
            let text = String(decoding: data[..<end], as: UTF8.self)
            if flag == UInt8(ascii: "L") { longName = text } else { longLink = text }
        default:
            guard let records = Self.paxRecords(data) else {
                throw ArchiveError(.invalidArgument, "read \(name): malformed PAX records")
            }
            for (key, value) in records { pax[key] = value }
        }
        extendedAt = extendedAt ?? at
    }

    /// Copies `size` bytes of data after the current header and moves past
    /// them and their padding, after checking the limits and the bounds.
    private mutating func readData(size: Int, limit: Int, name: String) throws(ArchiveError) -> [UInt8] {
        guard size <= limit else {
            throw ArchiveError(.invalidArgument, "read \(name): size \(size) exceeds the limit of \(limit) bytes")
        }
        guard size <= limits.maxTotalSize - totalSize else {
            throw ArchiveError(.invalidArgument, "read \(name): archive contents exceed the limit of \(limits.maxTotalSize) bytes")
        }
        let start = offset + TarReader.blockSize
        let available = archive.count - start
        // Compared before rounding up, so that a huge size cannot overflow.
        let padded = size <= available ? (size + TarReader.blockSize - 1) / TarReader.blockSize * TarReader.blockSize : size
        guard padded <= available else {
            throw ArchiveError(.invalidArgument, "read \(name): archive is truncated (\(size) data bytes declared, \(available) left)")
        }
        totalSize += size
        offset = start + padded
        return Array(archive[start..<start + size])
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// The entry kind for typeflag `flag`.
    static func kind(_ flag: UInt8, path: String, link: String) -> TarEntry.Kind {
        switch flag {
        case 0: return path.hasSuffix("/") ? .directory : .regularFile
        case UInt8(ascii: "0"), UInt8(ascii: "7"): return .regularFile
        case UInt8(ascii: "1"): return .hardLink(target: link)
        case UInt8(ascii: "2"): return .symbolicLink(target: link)
        case UInt8(ascii: "3"): return .characterDevice
        case UInt8(ascii: "4"): return .blockDevice
        case UInt8(ascii: "5"): return .directory
        case UInt8(ascii: "6"): return .fifo
        default: return .other(flag)
        }
    }

    /// A non-negative decimal number, or nil.
    static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }

    /// The records of a PAX extended header (`"%d %s=%s\n"` each), or nil when malformed.
    static func paxRecords(_ data: [UInt8]) -> [(String, String)]? {
        var records: [(String, String)] = []
        var start = 0
        while start < data.count {
            var cursor = start
            var length = 0
            while cursor < data.count, data[cursor] >= UInt8(ascii: "0"), data[cursor] <= UInt8(ascii: "9") {
                length = length * 10 + Int(data[cursor] - UInt8(ascii: "0"))
                guard length <= data.count else { return nil }
                cursor += 1
            }
            guard cursor > start, cursor < data.count, data[cursor] == UInt8(ascii: " "),
                  length > cursor - start + 1, length <= data.count - start,
                  data[start + length - 1] == UInt8(ascii: "\n") else { return nil }
            let body = data[(cursor + 1)..<(start + length - 1)]
            guard let equals = body.firstIndex(of: UInt8(ascii: "=")), equals > body.startIndex else { return nil }
            records.append((String(decoding: body[..<equals], as: UTF8.self),
                            String(decoding: body[(equals + 1)...], as: UTF8.self)))
            start += length
        }
        return records
    }
}

/// A read-only view of one 512-byte tar header block.
struct TarHeader {
    let block: ArraySlice<UInt8>

    init(_ block: ArraySlice<UInt8>) {
        self.block = block
    }

    func field(_ start: Int, _ length: Int) -> ArraySlice<UInt8> {
        block[(block.startIndex + start)..<(block.startIndex + start + length)]
    }

    var typeflag: UInt8 { block[block.startIndex + 156] }

    /// Whether the magic is POSIX `ustar\0`, whose headers have a name prefix
    /// field (GNU's `ustar  \0` uses those bytes for other things).
    var isPOSIX: Bool { field(257, 6).elementsEqual("ustar\0".utf8) }

    /// The name field, joined to the prefix field in POSIX headers.
    var name: String {
        let name = Self.string(field(0, 100))
        guard isPOSIX else { return name }
        let prefix = Self.string(field(345, 155))
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    var linkName: String { Self.string(field(157, 100)) }
    var mode: Int? { Self.number(field(100, 8)) }
    var size: Int? { Self.number(field(124, 12)) }

    /// Whether the stored checksum matches the unsigned byte sum, or the
    /// signed one some old tars wrote, with the checksum field read as spaces.
    var checksumMatches: Bool {
        guard let stored = Self.number(field(148, 8)) else { return false }
        var unsigned = 0
        var signed = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(ascii: " ") : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        return stored == unsigned || stored == signed
    }

    /// A NUL-terminated (or field-long) string.
    static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// An octal number padded with spaces or NULs, or a GNU base-256 number
    /// (high bit of the first byte set); nil when malformed, negative or too big.
    static func number(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            guard first & 0x40 == 0 else { return nil }
            var value = Int(first & 0x3f)
            for byte in field.dropFirst() {
                guard value <= Int.max >> 8 else { return nil }
                value = value << 8 | Int(byte)
            }
            return value
        }
        let padding: (UInt8) -> Bool = { $0 == 0 || $0 == UInt8(ascii: " ") }
        guard let start = field.firstIndex(where: { !padding($0) }) else { return 0 }
        let end = field.lastIndex(where: { !padding($0) })! + 1
        var value = 0
        for byte in field[start..<end] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7"), value <= Int.max >> 3 else { return nil }
            value = value << 3 | Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
