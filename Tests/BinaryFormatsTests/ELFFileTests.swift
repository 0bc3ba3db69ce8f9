import BinaryFormats
import Testing

@Suite struct ELFFileTests {
    static func sampleTables(base: UInt64) -> [ELFBuilder.Table] {
        [ELFBuilder.Table(type: 2, symbols: [
            .init(name: "main", value: base + 0x40),
            .init(name: "counter", value: base + 0x80, info: 0x11),        // OBJECT
            .init(name: "resolver", value: base + 0x90, info: 0x1a),       // GNU_IFUNC
            .init(name: "label", value: base + 0xa0, info: 0x10),          // NOTYPE
            .init(name: "undefined", value: base + 0x44, sectionIndex: 0), // SHN_UNDEF
            .init(name: "sectionsym", value: base + 0x48, info: 0x03),     // STT_SECTION
            .init(name: "filesym", value: base + 0x4c, info: 0x04),        // STT_FILE
            .init(name: "tlsvar", value: base + 0x50, info: 0x16),         // STT_TLS
            .init(name: "zero", value: 0),
            .init(name: "ma", value: base + 0x60),
        ])]
    }

    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func sharedObjectLookups(is64: Bool, littleEndian: Bool) throws {
        var builder = ELFBuilder(is64: is64, littleEndian: littleEndian, type: 3, machine: is64 ? 62 : 3)
        builder.tables = Self.sampleTables(base: builder.textAddress)
        let elf = try ELFFile(bytes: builder.build())
        #expect(elf.elfClass == (is64 ? .elf64 : .elf32))
        #expect(elf.isLittleEndian == littleEndian)
        #expect(elf.machine == (is64 ? 62 : 3))
        #expect(elf.type == .sharedObject)
        #expect(try elf.symbolFileOffset(named: "main") == 0x140)
        #expect(try elf.symbolFileOffset(named: "counter") == 0x180)
        #expect(try elf.symbolFileOffset(named: "resolver") == 0x190)
        #expect(try elf.symbolFileOffset(named: "label") == 0x1a0)
        #expect(try elf.symbolFileOffset(named: "ma") == 0x160)
        for name in ["undefined", "sectionsym", "filesym", "tlsvar", "zero", "mai", "m", "", "nothere", "main@GLIBC_2.2.5"] {
            #expect(try elf.symbolFileOffset(named: name) == nil, "\(name)")
        }
    }

    @Test func bigEndianExecutable32() throws {
        var builder = ELFBuilder(is64: false, littleEndian: false, type: 2, machine: 8, segmentAddress: 0x400000)
        builder.tables = [.init(type: 11, symbols: [.init(name: "start", value: 0x400110)])]
        let elf = try ELFFile(bytes: builder.build())
        #expect(elf.type == .executable)
        #expect(elf.machine == 8)
        #expect(try elf.symbolFileOffset(named: "start") == 0x110)
    }

    @Test func relocatableUsesSections() throws {
        for is64 in [true, false] {
            var builder = ELFBuilder(is64: is64, littleEndian: true, type: 1, programHeaders: false)
            builder.tables = [.init(type: 2, symbols: [
                .init(name: "first", value: 0),
                .init(name: "second", value: 0x20),
                .init(name: "outside", value: 0x200),
            ])]
            let elf = try ELFFile(bytes: builder.build())
            #expect(elf.type == .relocatable)
            #expect(try elf.symbolFileOffset(named: "first") == 0x100)
            #expect(try elf.symbolFileOffset(named: "second") == 0x120)
            #expect(throws: BinaryFormatError.self) { try elf.symbolFileOffset(named: "outside") }
        }
    }

    @Test func symtabIsSearchedBeforeDynsym() throws {
        var builder = ELFBuilder()
        let base = builder.textAddress
        builder.tables = [
            .init(type: 11, symbols: [.init(name: "both", value: base + 0x10), .init(name: "dynonly", value: base + 0x18)]),
            .init(type: 2, symbols: [.init(name: "both", value: base + 0x20)]),
        ]
        let elf = try ELFFile(bytes: builder.build())
        #expect(try elf.symbolFileOffset(named: "both") == 0x120)
        #expect(try elf.symbolFileOffset(named: "dynonly") == 0x118)
    }

    @Test func defaultSymbolVersionWins() throws {
        var builder = ELFBuilder()
        let base = builder.textAddress
        builder.tables = [.init(type: 11, symbols: [
            .init(name: "memcpy", value: base + 0x50),  // memcpy@GLIBC_2.2.5 (hidden)
            .init(name: "memcpy", value: base + 0x60),  // memcpy@@GLIBC_2.14 (default)
            .init(name: "old", value: base + 0x70),     // only a hidden version
        ], versions: [0x8002, 0x0003, 0x8002])]
        let elf = try ELFFile(bytes: builder.build())
        #expect(try elf.symbolFileOffset(named: "memcpy") == 0x160)
        #expect(try elf.symbolFileOffset(named: "old") == 0x170)
    }

    @Test func realLibcMatchesReadelf() throws {
        let path = "/lib/x86_64-linux-gnu/libc.so.6"
        guard let bytes = readBytes(path) else { return }
        let elf = try ELFFile(bytes: bytes)
        #expect(elf.elfClass == .elf64)
        #expect(elf.isLittleEndian)
        #expect(elf.machine == 62)
        #expect(elf.type == .sharedObject)
        let malloc = try #require(try elf.symbolFileOffset(named: "malloc"))
        #expect(malloc > 0 && malloc < UInt64(bytes.count))
        #expect(try elf.symbolFileOffset(named: "definitely_not_a_symbol_xyz") == nil)
        #expect(try elf.symbolFileOffset(named: "malloc@GLIBC_2.2.5") == nil)
        // environ lives in .bss: it has an address but no file offset.
        let error = #expect(throws: BinaryFormatError.self) { try elf.symbolFileOffset(named: "environ") }
        #expect(error?.kind == .unsupported)

        guard let symbolText = runTool("/usr/bin/readelf", ["-W", "--dyn-syms", path]),
              let programText = runTool("/usr/bin/readelf", ["-lW", path]) else { return }
        let loads: [(offset: UInt64, vaddr: UInt64, filesz: UInt64)] = programText.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count >= 5, f[0] == "LOAD", let o = UInt64(f[1].dropFirst(2), radix: 16),
                  let v = UInt64(f[2].dropFirst(2), radix: 16), let s = UInt64(f[4].dropFirst(2), radix: 16) else { return nil }
            return (o, v, s)
        }
        #expect(!loads.isEmpty)
        func readelfOffset(_ name: String) -> UInt64? {
            for line in symbolText.split(separator: "\n") {
                let f = line.split(separator: " ")
                guard f.count >= 8, f[7] == name || f[7].hasPrefix(name + "@@"), f[6] != "UND",
                      let value = UInt64(f[1], radix: 16) else { continue }
                for load in loads where value >= load.vaddr && value - load.vaddr < load.filesz {
                    return value - load.vaddr + load.offset
                }
            }
            return nil
        }
        for name in ["malloc", "free", "memcpy", "printf", "open", "stdout", "_IO_2_1_stdout_"] {
            let expected = readelfOffset(name)
            #expect(expected != nil, "\(name)")
            #expect(try elf.symbolFileOffset(named: name) == expected, "\(name)")
        }
    }

    @Test func realBinTrue() throws {
        guard let bytes = readBytes("/bin/true") else { return }
        let elf = try ELFFile(bytes: bytes)
        #expect(elf.machine == 62)
        #expect(try elf.symbolFileOffset(named: "no_such_symbol") == nil)
    }
}
