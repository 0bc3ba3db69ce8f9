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
        #expect(Self.error(Self.patched(LdSoCacheBuilder.new([]), 1, size: 1, at: 32))?.kind == .malformed)
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

    @Test func lyingStringLength() {
        let new = LdSoCacheBuilder.new(LdSoCacheTests.items)
        let declared = new.count - 48 - LdSoCacheTests.items.count * 24
        #expect(Self.error(Self.patched(new, 0xffff_ffff, size: 4, at: 24))?.kind == .malformed)
        #expect(Self.error(Self.patched(new, UInt64(declared + 1), size: 4, at: 24))?.kind == .malformed)
        #expect(Self.error(Self.patched(new, UInt64(declared), size: 4, at: 24)) == nil)
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
