/// A parsed glibc `/etc/ld.so.cache` (see glibc `sysdeps/generic/dl-cache.h`).
///
/// Three layouts are understood:
/// - old (`"ld.so-1.7.0"`): a 16-byte header (11-byte magic, padding, `nlibs`),
///   `nlibs` 12-byte entries `{int32 flags; uint32 key, value}` and a string
///   table right after the entries; string offsets are relative to that table;
/// - new (`"glibc-ld.so.cache"` + `"1.1"`): a 48-byte header (`nlibs`,
///   `len_strings`, `flags` byte + 3 padding bytes, `extension_offset`, 3 unused
///   words), `nlibs` 24-byte entries `{int32 flags; uint32 key, value, osversion;
///   uint64 hwcap}`; string offsets are relative to the new-format header;
/// - combined: an old-format cache whose string area hides a new-format cache
///   at the 8-byte aligned end of the old entries. As glibc does, the
///   new-format entries are used when present.
///
/// All counts and offsets are validated against the input size; the work is
/// bounded by the number of entries the input can physically hold times the
/// 4096-byte path limit.
package struct LdSoCache: Sendable {
    /// Which on-disk layout the cache used.
    package enum Format: Equatable, Sendable {
        /// Only the old `"ld.so-1.7.0"` layout.
        case old
        /// Only the new `"glibc-ld.so.cache1.1"` layout (glibc 2.32 and later).
        case new
        /// An old-format cache with an embedded new-format cache.
        case combined
    }

    /// One library entry of the cache.
    package struct Entry: Equatable, Sendable {
        /// The soname, for example `"libc.so.6"`.
        package let key: String
        /// The absolute path of the library, for example `"/lib/x86_64-linux-gnu/libc.so.6"`.
        package let path: String
        /// Entry flags: library type in the low byte (`0x03` = ELF libc6), required architecture in the next byte.
        package let flags: Int32
        /// Required minimum OS version (new format only, otherwise 0).
        package let osVersion: UInt32
        /// Hardware capability bits (new format only, otherwise 0).
        package let hwcap: UInt64

        /// Creates an entry.
        package init(key: String, path: String, flags: Int32, osVersion: UInt32 = 0, hwcap: UInt64 = 0) {
            self.key = key
            self.path = path
            self.flags = flags
            self.osVersion = osVersion
            self.hwcap = hwcap
        }
    }

    /// The layout found in the input.
    package let format: Format
    /// The library entries in cache order (the new-format entries for combined caches).
    package let entries: [Entry]

    static let oldMagic = Array("ld.so-1.7.0".utf8)
    static let newMagic = Array("glibc-ld.so.cache".utf8)
    static let newMagicWithVersion = Array("glibc-ld.so.cache1.1".utf8)
    static let oldHeaderSize = 16
    static let oldEntrySize = 12
    static let newHeaderSize = 48
    static let newEntrySize = 24
    static let maxPathLength = 4096

    /// Parses the contents of an `ld.so.cache` file.
    package init(bytes: [UInt8]) throws(BinaryFormatError) {
        let reader = ByteReader(bytes, littleEndian: true, context: "ld.so.cache")
        if reader.matches(LdSoCache.oldMagic, at: 0) {
            guard bytes.count >= LdSoCache.oldHeaderSize else {
                throw BinaryFormatError(.truncated, "ld.so.cache: old-format header truncated at \(bytes.count) bytes")
            }
            let count = try reader.u32(12)
            let capacity = (bytes.count - LdSoCache.oldHeaderSize) / LdSoCache.oldEntrySize
            guard UInt64(count) <= UInt64(capacity) else {
                throw BinaryFormatError(.truncated, "ld.so.cache: old-format nlibs \(count) exceeds file size \(bytes.count)")
            }
            let entriesEnd = LdSoCache.oldHeaderSize + Int(count) * LdSoCache.oldEntrySize
            let newStart = (entriesEnd + 7) & ~7
            if bytes.count >= newStart + LdSoCache.newHeaderSize,
               reader.matches(LdSoCache.newMagicWithVersion, at: newStart) {
                format = .combined
                entries = try LdSoCache.parseNew(reader, base: newStart)
            } else {
                format = .old
                entries = try LdSoCache.parseOld(reader, count: Int(count))
            }
        } else if reader.matches(LdSoCache.newMagic, at: 0) {
            guard reader.matches(LdSoCache.newMagicWithVersion, at: 0) else {
                throw BinaryFormatError(.unsupported, "ld.so.cache: unsupported new-format version")
            }
            format = .new
            entries = try LdSoCache.parseNew(reader, base: 0)
        } else {
            throw BinaryFormatError(.badMagic, "ld.so.cache: bad magic")
        }
    }

    /// Returns the path of the first entry matching `library` and `architecture`.
    ///
    /// A full soname such as `"libc.so.6"` matches its entry exactly; a short
    /// name such as `"libc"` or `"libssl"` matches an entry whose key equals it
    /// or starts with the name followed by `".so"` (`"libc.so.6"`, `"libssl.so.3"`).
    /// When `architecture` is not `nil`, only entries whose flags say ELF libc6
    /// for that architecture are considered; pass `nil` to accept any entry.
    package func lookup(library: String, architecture: Architecture? = .current) -> String? {
        guard !library.isEmpty else { return nil }
        let prefix = library + ".so"
        for entry in entries where entry.key == library || entry.key.hasPrefix(prefix) {
            if let architecture, !architecture.matches(flags: entry.flags) { continue }
            return entry.path
        }
        return nil
    }

    private static func parseOld(_ reader: ByteReader, count: Int) throws(BinaryFormatError) -> [Entry] {
        let stringBase = oldHeaderSize + count * oldEntrySize
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var index = 0
        while index < count {
            let position = oldHeaderSize + index * oldEntrySize
            let flags = try reader.i32(position)
            let key = try string(reader, base: stringBase, offset: try reader.u32(position + 4), limit: reader.count,
                                 entry: index, field: "key")
            let path = try string(reader, base: stringBase, offset: try reader.u32(position + 8), limit: reader.count,
                                  entry: index, field: "value")
            entries.append(Entry(key: key, path: path, flags: flags))
            index += 1
        }
        return entries
    }

    private static func parseNew(_ probe: ByteReader, base: Int) throws(BinaryFormatError) -> [Entry] {
        let available = probe.count - base
        guard available >= newHeaderSize else {
            throw BinaryFormatError(.truncated, "ld.so.cache: new-format header truncated at \(probe.count) bytes")
        }
        // flags & 3: 0 = endianness unset (pre-2.33, host order), 1 = invalid, 2 = little, 3 = big.
        let reader: ByteReader
        switch try probe.u8(base + 32) & 3 {
        case 1: throw BinaryFormatError(.malformed, "ld.so.cache: new-format header has invalid endianness flag")
        case 3: reader = probe.withEndianness(littleEndian: false)
        default: reader = probe
        }
        let count = try reader.u32(base + 20)
        let stringsLength = try reader.u32(base + 24)
        let capacity = (available - newHeaderSize) / newEntrySize
        guard UInt64(count) <= UInt64(capacity) else {
            throw BinaryFormatError(.truncated, "ld.so.cache: nlibs \(count) exceeds file size \(probe.count)")
        }
        let entriesEnd = newHeaderSize + Int(count) * newEntrySize
        guard UInt64(stringsLength) <= UInt64(available - entriesEnd) else {
            throw BinaryFormatError(.malformed, "ld.so.cache: len_strings \(stringsLength) exceeds file size \(probe.count)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        var index = 0
        while index < Int(count) {
            let position = base + newHeaderSize + index * newEntrySize
            let flags = try reader.i32(position)
            let key = try string(reader, base: base, offset: try reader.u32(position + 4), limit: reader.count,
                                 entry: index, field: "key")
            let path = try string(reader, base: base, offset: try reader.u32(position + 8), limit: reader.count,
                                  entry: index, field: "value")
            let osVersion = try reader.u32(position + 12)
            let hwcap = try reader.u64(position + 16)
            entries.append(Entry(key: key, path: path, flags: flags, osVersion: osVersion, hwcap: hwcap))
            index += 1
        }
        return entries
    }

    private static func string(
        _ reader: ByteReader, base: Int, offset: UInt32, limit: Int, entry: Int, field: String
    ) throws(BinaryFormatError) -> String {
        guard UInt64(offset) < UInt64(limit - base) else {
            throw BinaryFormatError(.malformed, "ld.so.cache: entry \(entry) \(field) string offset \(offset) out of range")
        }
        let start = base + Int(offset)
        return try reader.cString(at: start, limit: limit, maxLength: maxPathLength, "entry \(entry) \(field)")
    }
}
