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
        .init(key: "libplain.so.1", path: "/opt/plain/libplain.so.1", flags: 1),
        .init(key: "libwide.so.1", path: "/opt/wide/libwide.so.1", flags: 0x0001_0303),
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
        // glibc's generic check (i386) accepts plain FLAG_ELF; x86-64 and AArch64 want their default id exactly.
        #expect(cache.lookup(library: "libplain", architecture: .i386) == "/opt/plain/libplain.so.1")
        #expect(cache.lookup(library: "libplain", architecture: .x86_64) == nil)
        #expect(cache.lookup(library: "libplain", architecture: .aarch64) == nil)
        #expect(cache.lookup(library: "libwide", architecture: .x86_64) == nil, "bits above the architecture byte")
        #expect(cache.lookup(library: "libwide", architecture: nil) == "/opt/wide/libwide.so.1")
    }

    /// Whether this host is big endian: glibc reads caches in host order only.
    static let hostIsBigEndian = 1.bigEndian == 1

    @Test func newFormat() throws {
        let cache = try LdSoCache(bytes: LdSoCacheBuilder.new(Self.items, bigEndian: Self.hostIsBigEndian))
        #expect(cache.format == .new)
        Self.checkLookups(cache)
        #expect(cache.entries[1].osVersion == 7)
        #expect(cache.entries[1].hwcap == 9)
    }

    /// What glibc 2.36's loader accepts and bpfman once refused: no string
    /// table size, no recorded byte order. The entry's flags decide per
    /// architecture, as `_dl_cache_check_flags` does.
    @Test(arguments: [(Int32(0x0303), true), (1, false), (3, false), (0x0a03, false)])
    func newFormatOnlyWithoutLengthOrByteOrder(flags: Int32, resolvesOnX86_64: Bool) throws {
        let items = [LdSoCacheBuilder.Item(key: "libbpfmantest.so.1", path: "/opt/bpfmantest/libbpfmantest.so.1", flags: flags)]
        let bytes = LdSoCacheBuilder.new(items, bigEndian: Self.hostIsBigEndian, endianFlag: 0, lenStrings: 0)
        let cache = try LdSoCache(bytes: bytes)
        #expect(cache.format == .new)
        #expect(cache.entries == [LdSoCache.Entry(key: "libbpfmantest.so.1", path: "/opt/bpfmantest/libbpfmantest.so.1", flags: flags)])
        let found = cache.lookup(library: "libbpfmantest", architecture: .x86_64)
        #expect(found == (resolvesOnX86_64 ? "/opt/bpfmantest/libbpfmantest.so.1" : nil))
        #expect(cache.lookup(library: "libbpfmantest.so.1", architecture: .i386) == (flags == 1 || flags == 3 ? items[0].path : nil))
    }

    @Test(arguments: [
        (LdSoCache.Architecture.x86_64, [Int32(0x0303)], [Int32(1), 3, 0x0a03, 0x0302, 0x0001_0303, -1, 0]),
        (.aarch64, [0x0a03], [1, 3, 0x0303, 0x0a02]),
        (.i386, [1, 3], [0, 2, 0x0303, 0x0103]),
        (.ppc64, [0x0503], [1, 3]),
        (.s390x, [0x0403], [1, 3]),
        (.riscv64, [0x1003], [1, 3, 0x0f03]),
    ])
    func flagsCheckPerArchitecture(architecture: LdSoCache.Architecture, accepted: [Int32], refused: [Int32]) {
        for flags in accepted { #expect(architecture.accepts(flags: flags), "\(flags)") }
        for flags in refused { #expect(!architecture.accepts(flags: flags), "\(flags)") }
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
        // glibc wants a file larger than the header alone.
        #expect(throws: BinaryFormatError(.truncated, "ld.so.cache: new-format header truncated at 48 bytes")) {
            try LdSoCache(bytes: LdSoCacheBuilder.new([]))
        }
        #expect(throws: BinaryFormatError(.truncated, "ld.so.cache: old-format cache of 16 bytes has no room for entries")) {
            try LdSoCache(bytes: LdSoCacheBuilder.old([]))
        }
        #expect(try LdSoCache(bytes: LdSoCacheBuilder.new([]) + [0]).entries.isEmpty)
        #expect(try LdSoCache(bytes: LdSoCacheBuilder.old([]) + [0]).format == .old)
        #expect(try LdSoCache(bytes: LdSoCacheBuilder.combined([])).format == .combined)
    }

    @Test func realCacheMatchesLdconfig() throws {
        let bytes = try #require(readBytes("/etc/ld.so.cache"), "a glibc system has /etc/ld.so.cache")
        let cache = try LdSoCache(bytes: bytes)
        #expect(cache.format == .new)
        let libc = try #require(cache.lookup(library: "libc"))
        #expect(libc.hasSuffix("/libc.so.6"))
        #expect(cache.lookup(library: "libc.so.6") == libc)
        #expect(LdSoCache.Architecture.current == .x86_64)

        let text = try #require(runTool("/sbin/ldconfig", ["-p"]), "ldconfig -p runs")
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
