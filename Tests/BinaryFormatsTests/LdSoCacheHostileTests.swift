import BinaryFormats
import Testing

@Suite struct LdSoCacheHostileTests {
    static func error(_ bytes: [UInt8]) -> BinaryFormatError? {
        do {
            _ = try LdSoCache(bytes: bytes)
            return nil
        } catch {
            return error
        }
    }

    static func patched(_ bytes: [UInt8], _ value: UInt64, size: Int, at offset: Int) -> [UInt8] {
        var w = ByteWriter(bytes: bytes, littleEndian: true)
        w.put(value, size: size, at: offset)
        return w.bytes
    }

    @Test func everyTruncationThrows() {
        let start = now()
        for bytes in [LdSoCacheBuilder.new(LdSoCacheTests.items), LdSoCacheBuilder.old(LdSoCacheTests.items),
                      LdSoCacheBuilder.combined(LdSoCacheTests.items)] {
            for length in 0..<bytes.count {
                #expect(Self.error(Array(bytes.prefix(length))) != nil, "length \(length)")
            }
        }
        #expect(now() - start < 5)
    }

    @Test func magicAndVersion() {
        #expect(Self.error(Array("hello world, not a cache".utf8))?.kind == .badMagic)
        #expect(Self.error([])?.kind == .badMagic)
        var bytes = LdSoCacheBuilder.new(LdSoCacheTests.items)
        bytes[19] = UInt8(ascii: "0")
        #expect(Self.error(bytes)?.kind == .unsupported)
        #expect(Self.error(Self.patched(LdSoCacheBuilder.new(LdSoCacheTests.items), 1, size: 1, at: 28))?.kind == .malformed)
    }

    /// glibc's `cache_file_new_matches_endian`: a zero flags byte (order
    /// unknown) or the host's endianness bits; anything else ignores the cache.
    @Test(arguments: [(UInt8(0), true), (2, true), (6, true), (0x82, true), (3, false), (1, false), (4, false), (5, false), (0x80, false)])
    func endiannessFlag(littleEndianValue: UInt8, accepted: Bool) {
        // The same cases for a big-endian host, where 3 is the host's order and 2 the other one.
        let flag = LdSoCacheTests.hostIsBigEndian && littleEndianValue & 3 >= 2 ? littleEndianValue ^ 1 : littleEndianValue
        let bytes = LdSoCacheBuilder.new(LdSoCacheTests.items, bigEndian: LdSoCacheTests.hostIsBigEndian, endianFlag: flag)
        let error = Self.error(bytes)
        if accepted {
            #expect(error == nil)
        } else {
            #expect(error?.kind == (flag & 3 >= 2 ? .unsupported : .malformed), "\(String(describing: error))")
        }
    }

    @Test func otherByteOrderIsIgnoredLikeGlibc() {
        let other = LdSoCacheBuilder.new(LdSoCacheTests.items, bigEndian: !LdSoCacheTests.hostIsBigEndian)
        #expect(Self.error(other)?.kind == .unsupported)
        // Even with a zero flags byte the foreign-order counts do not fit the file.
        let unflagged = LdSoCacheBuilder.new(LdSoCacheTests.items, bigEndian: !LdSoCacheTests.hostIsBigEndian, endianFlag: 0)
        #expect(Self.error(unflagged)?.kind == .truncated)
        // A combined cache whose new part has the wrong order is ignored whole, old part included.
        let combined = LdSoCacheBuilder.combined(LdSoCacheTests.items)
        let newStart = (16 + LdSoCacheTests.items.count * 12 + 7) & ~7
        let flag: UInt64 = LdSoCacheTests.hostIsBigEndian ? 2 : 3
        #expect(Self.error(Self.patched(combined, flag, size: 1, at: newStart + 28))?.kind == .unsupported)
    }

    @Test func sizeThresholdsAsGlibc() throws {
        // More than the header is needed; one byte more is enough.
        #expect(Self.error(LdSoCacheBuilder.new([]))?.kind == .truncated)
        #expect(Self.error(LdSoCacheBuilder.old([]))?.kind == .truncated)
        #expect(Self.error(LdSoCacheBuilder.new([]) + [0]) == nil)
        #expect(Self.error(LdSoCacheBuilder.old([]) + [0]) == nil)
        // A combined cache's new part needs only its header.
        let combined = try LdSoCache(bytes: LdSoCacheBuilder.combined([]))
        #expect(combined.format == .combined && combined.entries.isEmpty)
        // The new part of a combined cache may not announce more entries than the file holds (glibc does not check).
        let items = LdSoCacheTests.items
        let newStart = (16 + items.count * 12 + 7) & ~7
        let bytes = Self.patched(LdSoCacheBuilder.combined(items), 0x00ff_ffff, size: 4, at: newStart + 20)
        #expect(Self.error(bytes)?.kind == .truncated)
    }

    @Test func hugeCounts() {
        let start = now()
        let new = LdSoCacheBuilder.new(LdSoCacheTests.items)
        let old = LdSoCacheBuilder.old(LdSoCacheTests.items)
        #expect(Self.error(Self.patched(new, 0xffff_ffff, size: 4, at: 20))?.kind == .truncated)
        #expect(Self.error(Self.patched(new, UInt64(LdSoCacheTests.items.count * 10), size: 4, at: 20))?.kind == .truncated)
        #expect(Self.error(Self.patched(old, 0xffff_ffff, size: 4, at: 12))?.kind == .truncated)
        // A huge count in a big file must still be rejected without walking the file.
        var big = new
        big += [UInt8](repeating: 0, count: 4 << 20)
        #expect(Self.error(Self.patched(big, 0xffff_ffff, size: 4, at: 20))?.kind == .truncated)
        #expect(now() - start < 2)
    }

    /// glibc bounds string offsets by the file size and never reads `len_strings`.
    @Test func stringLengthBoundsNothing() throws {
        let new = LdSoCacheBuilder.new(LdSoCacheTests.items)
        let expected = try LdSoCache(bytes: new).entries
        let declared = new.count - 48 - LdSoCacheTests.items.count * 24
        for value in [0, 1, UInt64(declared - 1), UInt64(declared + 1), 0xffff_ffff] {
            #expect(try LdSoCache(bytes: Self.patched(new, value, size: 4, at: 24)).entries == expected, "len_strings \(value)")
        }
        // A string that starts inside the declared table but ends past the file is still refused.
        var cut = Array(new.dropLast())
        cut = Self.patched(cut, UInt64(declared), size: 4, at: 24)
        #expect(Self.error(cut)?.kind == .malformed)
    }

    @Test func stringOffsets() {
        let new = LdSoCacheBuilder.new(LdSoCacheTests.items)
        let bad = Self.error(Self.patched(new, 99999, size: 4, at: 48 + 3 * 24 + 4))
        #expect(bad == BinaryFormatError(.malformed, "ld.so.cache: entry 3 key string offset 99999 out of range"))
        #expect(Self.error(Self.patched(new, 0xffff_ffff, size: 4, at: 48 + 8))?.kind == .malformed)
        let old = LdSoCacheBuilder.old(LdSoCacheTests.items)
        #expect(Self.error(Self.patched(old, 0xffff_ffff, size: 4, at: 16 + 4))?.kind == .malformed)
        #expect(Self.error(Self.patched(old, UInt64(old.count), size: 4, at: 16 + 8))?.kind == .malformed)
    }

    @Test func missingTerminator() {
        for var bytes in [LdSoCacheBuilder.new(LdSoCacheTests.items), LdSoCacheBuilder.old(LdSoCacheTests.items)] {
            bytes[bytes.count - 1] = UInt8(ascii: "x")
            let error = Self.error(bytes)
            #expect(error?.kind == .malformed)
            #expect(error?.message.contains("no nul terminator") == true)
        }
    }

    @Test func overlongPathIsRejected() {
        let items = [LdSoCacheBuilder.Item(key: "libx.so", path: "/" + String(repeating: "a", count: 5000))]
        #expect(Self.error(LdSoCacheBuilder.new(items))?.kind == .malformed)
    }

    @Test func manyEntriesIntoOneLongRunStayFast() {
        // 20000 entries all pointing at a 4000-byte run: bounded by the 4096-byte limit per string.
        let count = 20000
        var w = ByteWriter()
        w.put(Array("glibc-ld.so.cache1.1".utf8), at: 0)
        w.put(UInt64(count), size: 4, at: 20)
        let stringsStart = 48 + count * 24
        w.put(4001, size: 4, at: 24)
        for index in 0..<count {
            w.put(UInt64(stringsStart + index % 100), size: 4, at: 48 + index * 24 + 4)
            w.put(UInt64(stringsStart + index % 100), size: 4, at: 48 + index * 24 + 8)
        }
        w.put([UInt8](repeating: 0x41, count: 4000) + [0], at: stringsStart)
        let start = now()
        #expect(Self.error(w.bytes) == nil)
        #expect(now() - start < 10)
    }
}
