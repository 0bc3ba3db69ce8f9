/// A parsed glibc `/etc/ld.so.cache`, accepted exactly when glibc's loader
/// (`elf/dl-cache.c`, `_dl_load_cache_lookup`) would use it.
///
/// Three layouts exist (glibc `sysdeps/generic/dl-cache.h`), all in the
/// host's byte order:
/// - old (`"ld.so-1.7.0"`): a 16-byte header (11-byte magic, padding, `nlibs`),
///   `nlibs` 12-byte entries `{int32 flags; uint32 key, value}` and a string
///   table right after the entries; string offsets are relative to that table;
/// - new (`"glibc-ld.so.cache1.1"`): a 48-byte header (`nlibs` at 20,
///   `len_strings` at 24, a `flags` byte at 28, 3 padding bytes,
///   `extension_offset` at 32, 3 unused words), `nlibs` 24-byte entries
///   `{int32 flags; uint32 key, value, osversion; uint64 hwcap}`; string
///   offsets are relative to the new-format header;
/// - combined: an old-format cache whose string area hides a new-format cache
///   at the 8-byte aligned end of the old entries. As glibc does, the
///   new-format entries are used when present.
///
/// Checked as glibc checks them:
/// - the file is larger than its layout's header and `nlibs` entries fit;
/// - the new header's `flags` byte is 0 (byte order unknown: host order), or
///   its endianness bits (`flags & 3`) equal the host's (2 little, 3 big).
///   Anything else makes glibc ignore the whole cache, the old part of a
///   combined cache included;
/// - `len_strings` bounds nothing: glibc bounds string offsets by the file
///   size only.
///
/// Which entries a lookup uses follows glibc's `_dl_cache_check_flags`
/// (see ``Architecture``).
///
/// Refused although glibc would follow them, because following them is
/// unsafe: a string offset outside the file, a string with no NUL before the
/// end of the file, a string longer than 4096 bytes (`PATH_MAX`), and a
/// combined cache whose new part announces more entries than the file holds
/// (glibc does not check that count). The work is therefore bounded by the
/// number of entries the input can physically hold times 4096.
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
        /// Entry flags as ldconfig wrote them: `FLAG_ELF_LIBC6` (`0x03`) in the
        /// low byte and the architecture's `FLAG_*` bits above it, for example
        /// `0x0303` on x86-64; see ``Architecture/accepts(flags:)``.
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
    static let newFlagsOffset = 28
    static let maxPathLength = 4096

    #if _endian(big)
    /// Whether this host stores integers little endian, the order glibc reads the cache in.
    static let hostIsLittleEndian = false
    #else
    /// Whether this host stores integers little endian, the order glibc reads the cache in.
    static let hostIsLittleEndian = true
    #endif

    /// Parses the contents of an `ld.so.cache` file.
    ///
    /// - Throws: `BinaryFormatError` for every input glibc's loader ignores,
    ///   and for the unsafe inputs listed on the type.
    package init(bytes: [UInt8]) throws(BinaryFormatError) {
        let reader = ByteReader(bytes, littleEndian: LdSoCache.hostIsLittleEndian, context: "ld.so.cache")
        if reader.matches(LdSoCache.newMagicWithVersion, at: 0) {
            format = .new
            entries = try LdSoCache.parseNew(reader, base: 0)
        } else if reader.matches(LdSoCache.oldMagic, at: 0) {
            guard bytes.count > LdSoCache.oldHeaderSize else {
                throw BinaryFormatError(.truncated, "ld.so.cache: old-format cache of \(bytes.count) bytes has no room for entries")
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
            throw BinaryFormatError(.unsupported, "ld.so.cache: unsupported new-format version")
        } else {
            throw BinaryFormatError(.badMagic, "ld.so.cache: bad magic")
        }
    }

    /// Returns the path of the first entry matching `library` that `architecture` accepts.
    ///
    /// A full soname such as `"libc.so.6"` matches its entry exactly; a short
    /// name such as `"libc"` or `"libssl"` matches an entry whose key equals it
    /// or starts with the name followed by `".so"` (`"libc.so.6"`, `"libssl.so.3"`).
    /// When `architecture` is not `nil`, only entries whose flags glibc's
    /// loader accepts on that architecture are considered; pass `nil` to
    /// accept any entry.
    package func lookup(library: String, architecture: Architecture? = .current) -> String? {
        guard !library.isEmpty else { return nil }
        let prefix = library + ".so"
        for entry in entries where entry.key == library || entry.key.hasPrefix(prefix) {
            if let architecture, !architecture.accepts(flags: entry.flags) { continue }
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
            let key = try string(reader, base: stringBase, offset: try reader.u32(position + 4), entry: index, field: "key")
            let path = try string(reader, base: stringBase, offset: try reader.u32(position + 8), entry: index, field: "value")
            entries.append(Entry(key: key, path: path, flags: flags))
            index += 1
        }
        return entries
    }

    private static func parseNew(_ reader: ByteReader, base: Int) throws(BinaryFormatError) -> [Entry] {
        let available = reader.count - base
        // glibc wants more than the header alone in a new-format-only file; the
        // caller saw room for the header of a combined cache's new part.
        guard base > 0 || available > newHeaderSize else {
            throw BinaryFormatError(.truncated, "ld.so.cache: new-format header truncated at \(reader.count) bytes")
        }
        try checkEndianness(try reader.u8(base + newFlagsOffset))
        let count = try reader.u32(base + 20)
        let capacity = (available - newHeaderSize) / newEntrySize
        guard UInt64(count) <= UInt64(capacity) else {
            throw BinaryFormatError(.truncated, "ld.so.cache: nlibs \(count) exceeds file size \(reader.count)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        var index = 0
        while index < Int(count) {
            let position = base + newHeaderSize + index * newEntrySize
            let flags = try reader.i32(position)
            let key = try string(reader, base: base, offset: try reader.u32(position + 4), entry: index, field: "key")
            let path = try string(reader, base: base, offset: try reader.u32(position + 8), entry: index, field: "value")
            let osVersion = try reader.u32(position + 12)
            let hwcap = try reader.u64(position + 16)
            entries.append(Entry(key: key, path: path, flags: flags, osVersion: osVersion, hwcap: hwcap))
            index += 1
        }
        return entries
    }

    /// glibc's `cache_file_new_matches_endian`: a zero flags byte, or endianness bits equal to the host's.
    private static func checkEndianness(_ flags: UInt8) throws(BinaryFormatError) {
        let host: UInt8 = hostIsLittleEndian ? 2 : 3
        if flags == 0 || flags & 3 == host { return }
        switch flags & 3 {
        case 2, 3:
            throw BinaryFormatError(.unsupported, "ld.so.cache: new-format cache is \(flags & 3 == 2 ? "little" : "big") endian, this host is not")
        default:
            throw BinaryFormatError(.malformed, "ld.so.cache: new-format header has invalid endianness flag \(flags)")
        }
    }

    /// Reads the string at `offset` from `base`; like glibc's `_dl_cache_verify_ptr`
    /// the offset is bounded by the file, never by `len_strings`.
    private static func string(
        _ reader: ByteReader, base: Int, offset: UInt32, entry: Int, field: String
    ) throws(BinaryFormatError) -> String {
        guard UInt64(offset) < UInt64(reader.count - base) else {
            throw BinaryFormatError(.malformed, "ld.so.cache: entry \(entry) \(field) string offset \(offset) out of range")
        }
        let start = base + Int(offset)
        return try reader.cString(at: start, limit: reader.count, maxLength: maxPathLength, "entry \(entry) \(field)")
    }
}
