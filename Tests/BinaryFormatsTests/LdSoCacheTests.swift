import BinaryFormats
import Testing

@Suite struct LdSoCacheTests {
    static let items: [LdSoCacheBuilder.Item] = [
        .init(key: "libssl3.so", path: "/usr/lib/x86_64-linux-gnu/libssl3.so"),
        .init(key: "libssl.so.3", path: "/usr/lib/x86_64-linux-gnu/libssl.so.3", osVersion: 7, hwcap: 9),
        .init(key: "libssl.so", path: "/usr/lib/x86_64-linux-gnu/libssl.so"),
        .init(key: "libcap.so.2", path: "/usr/lib/x86_64-linux-gnu/libcap.so.2"),
        .init(key: "libc.so.6", path: "/lib/i386-linux-gnu/libc.so.6", flags: 0x0003),
        .init(key: "libc.so.6", path: "/lib/x86_64-linux-gnu/libc.so.6"),
        .init(key: "libc.so.6", path: "/lib/aarch64-linux-gnu/libc.so.6", flags: 0x0a03),
        .init(key: "libfoo", path: "/opt/lib/libfoo"),
    ]

    static func checkLookups(_ cache: LdSoCache) {
        #expect(cache.entries.count == items.count)
        for (entry, item) in zip(cache.entries, items) {
            #expect(entry.key == item.key)
            #expect(entry.path == item.path)
            #expect(entry.flags == item.flags)
        }
        #expect(cache.lookup(library: "libc", architecture: .x86_64) == "/lib/x86_64-linux-gnu/libc.so.6")
        #expect(cache.lookup(library: "libc.so.6", architecture: .x86_64) == "/lib/x86_64-linux-gnu/libc.so.6")
        #expect(cache.lookup(library: "libc", architecture: .aarch64) == "/lib/aarch64-linux-gnu/libc.so.6")
        #expect(cache.lookup(library: "libc", architecture: .i386) == "/lib/i386-linux-gnu/libc.so.6")
        #expect(cache.lookup(library: "libc", architecture: nil) == "/lib/i386-linux-gnu/libc.so.6")
        #expect(cache.lookup(library: "libc", architecture: .riscv64) == nil)
        #expect(cache.lookup(library: "libssl", architecture: .x86_64) == "/usr/lib/x86_64-linux-gnu/libssl.so.3")
        #expect(cache.lookup(library: "libssl.so", architecture: .x86_64) == "/usr/lib/x86_64-linux-gnu/libssl.so")
        #expect(cache.lookup(library: "libcap", architecture: .x86_64) == "/usr/lib/x86_64-linux-gnu/libcap.so.2")
        #expect(cache.lookup(library: "libfoo", architecture: .x86_64) == "/opt/lib/libfoo")
        #expect(cache.lookup(library: "libc.so", architecture: .x86_64) == nil)
        #expect(cache.lookup(library: "libss", architecture: .x86_64) == nil)
        #expect(cache.lookup(library: "", architecture: nil) == nil)
    }

    @Test func newFormat() throws {
        for bigEndian in [false, true] {
            let cache = try LdSoCache(bytes: LdSoCacheBuilder.new(Self.items, bigEndian: bigEndian))
            #expect(cache.format == .new)
            Self.checkLookups(cache)
            #expect(cache.entries[1].osVersion == 7)
            #expect(cache.entries[1].hwcap == 9)
        }
    }

    @Test func oldFormat() throws {
        let cache = try LdSoCache(bytes: LdSoCacheBuilder.old(Self.items))
        #expect(cache.format == .old)
        Self.checkLookups(cache)
        #expect(cache.entries[1].hwcap == 0)
    }

    @Test func combinedFormat() throws {
        var bytes = LdSoCacheBuilder.combined(Self.items)
        let cache = try LdSoCache(bytes: bytes)
        #expect(cache.format == .combined)
        Self.checkLookups(cache)
        #expect(cache.entries[1].hwcap == 9)
        // Hiding the new part leaves a valid old-format cache pointing into the same strings.
        let newStart = (16 + Self.items.count * 12 + 7) & ~7
        bytes[newStart] = UInt8(ascii: "G")
        let old = try LdSoCache(bytes: bytes)
        #expect(old.format == .old)
        Self.checkLookups(old)
    }

    @Test func emptyCaches() throws {
        #expect(try LdSoCache(bytes: LdSoCacheBuilder.new([])).entries.isEmpty)
        #expect(try LdSoCache(bytes: LdSoCacheBuilder.old([])).entries.isEmpty)
        #expect(try LdSoCache(bytes: LdSoCacheBuilder.combined([])).format == .combined)
    }

    @Test func realCacheMatchesLdconfig() throws {
        guard let bytes = readBytes("/etc/ld.so.cache") else { return }
        let cache = try LdSoCache(bytes: bytes)
        #expect(cache.format == .new)
        let libc = try #require(cache.lookup(library: "libc"))
        #expect(libc.hasSuffix("/libc.so.6"))
        #expect(cache.lookup(library: "libc.so.6") == libc)
        #expect(LdSoCache.Architecture.current == .x86_64)

        guard let text = runTool("/sbin/ldconfig", ["-p"]) else { return }
        // Lines look like "\tlibc.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libc.so.6".
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("\t") }
        #expect(lines.count == cache.entries.count)
        for (line, entry) in zip(lines, cache.entries) {
            let trimmed = line.drop(while: { $0 == "\t" || $0 == " " })
            #expect(trimmed.hasPrefix(entry.key + " ("), "\(line)")
            #expect(trimmed.hasSuffix("=> " + entry.path), "\(line)")
        }
    }
}
