import BinaryFormats
import Foundation
import Testing

@Suite struct ELFSectionTests {
    static let bpfSource = repoRoot + "/testdata/bpf/uprobe_counter.bpf.c"

    /// The first clang on the usual paths, or nil.
    static var clang: String? {
        ["/usr/bin/clang", "/usr/local/bin/clang", "/opt/swift/usr/bin/clang"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Compiles the uprobe counter BPF object into a temporary file and returns its bytes.
    static func compileBPFObject() throws -> [UInt8] {
        let clang = try #require(clang)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("elf-section-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("x.o").path
        let result = runTool(clang, ["-target", "bpf", "-O2", "-g", "-I/usr/include/x86_64-linux-gnu",
                                     "-c", bpfSource, "-o", output])
        try #require(result != nil, "clang failed to compile \(bpfSource)")
        return try #require(readBytes(output))
    }

    /// Locally the test needs clang; in CI it always runs, so a missing clang fails it.
    static var canCompile: Bool { isCI || clang != nil }

    @Test(.enabled(if: canCompile, "needs clang (runs, and fails without it, in CI)"))
    func licenseSectionOfRealBPFObject() throws {
        let elf = try ELFFile(bytes: try Self.compileBPFObject())
        #expect(elf.type == .relocatable)
        #expect(try elf.sectionContents(named: "license") == Array("Dual BSD/GPL".utf8) + [0])
        #expect(try elf.sectionContents(named: "no_such_section") == nil)
        #expect(try elf.sectionContents(named: "licens") == nil)
        #expect(try elf.sectionContents(named: "license2") == nil)
        #expect(try elf.sectionContents(named: "") == nil)
        #expect(try elf.sectionContents(named: ".maps")?.count == 0x20)
        #expect(try elf.sectionContents(named: ".text") == [])
    }

    @Test func realExecutableWithoutLicenseSection() throws {
        let bytes = try #require(readBytes("/bin/sh") ?? readBytes("/proc/self/exe"))
        let elf = try ELFFile(bytes: bytes)
        #expect(try elf.sectionContents(named: "license") == nil)
    }

    @Test func builtFileWithoutNameTableGivesNil() throws {
        let elf = try ELFFile(bytes: ELFBuilder().build())
        #expect(try elf.sectionContents(named: "license") == nil)
        #expect(try elf.sectionContents(named: ".text") == nil)
    }

    /// Names section 1 (`.text`, 0x100 bytes of 0xCC) "main" through the builder's `.strtab`.
    static func namedTextSection(is64: Bool, littleEndian: Bool, textType: UInt32 = 1,
                                 extendedIndex: Bool = false, nameTable: UInt64 = 2) -> [UInt8] {
        var builder = ELFBuilder(is64: is64, littleEndian: littleEndian)
        builder.tables = [ELFBuilder.Table(type: 2, symbols: [.init(name: "main", value: builder.textAddress)])]
        let (bytes, layout) = builder.buildWithLayout()
        var writer = ByteWriter(bytes: bytes, littleEndian: littleEndian)
        let headerSize = is64 ? 64 : 40
        let text = layout.sectionHeaderOffset + headerSize
        writer.put(1, size: 4, at: text)  // "main" sits at offset 1 of .strtab
        writer.put(UInt64(textType), size: 4, at: text + 4)
        if extendedIndex {
            writer.put(0xffff, size: 2, at: is64 ? 62 : 50)
            writer.put(nameTable, size: 4, at: layout.sectionHeaderOffset + (is64 ? 40 : 24))
        } else {
            writer.put(nameTable, size: 2, at: is64 ? 62 : 50)
        }
        return writer.bytes
    }

    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func handBuiltNamedSection(is64: Bool, littleEndian: Bool) throws {
        let elf = try ELFFile(bytes: Self.namedTextSection(is64: is64, littleEndian: littleEndian))
        #expect(try elf.sectionContents(named: "main") == [UInt8](repeating: 0xCC, count: 0x100))
        #expect(try elf.sectionContents(named: "license") == nil)

        let extended = try ELFFile(bytes: Self.namedTextSection(is64: is64, littleEndian: littleEndian,
                                                                 extendedIndex: true))
        #expect(try extended.sectionContents(named: "main") == [UInt8](repeating: 0xCC, count: 0x100))
    }

    @Test func noBitsSectionGivesNil() throws {
        let elf = try ELFFile(bytes: Self.namedTextSection(is64: true, littleEndian: true, textType: 8))
        #expect(try elf.sectionContents(named: "main") == nil)
    }

    @Test func hostileNameTablesThrow() throws {
        let outOfRange = try ELFFile(bytes: Self.namedTextSection(is64: true, littleEndian: true, nameTable: 0x7ff))
        #expect(throws: BinaryFormatError.self) { try outOfRange.sectionContents(named: "main") }

        let extendedOutOfRange = try ELFFile(bytes: Self.namedTextSection(
            is64: false, littleEndian: true, extendedIndex: true, nameTable: 0xffff_ffff))
        #expect(throws: BinaryFormatError.self) { try extendedOutOfRange.sectionContents(named: "main") }

        // Section 1 is PROGBITS, not a string table.
        let notStrings = try ELFFile(bytes: Self.namedTextSection(is64: true, littleEndian: true, nameTable: 1))
        #expect(throws: BinaryFormatError.self) { try notStrings.sectionContents(named: "main") }

        // A name offset past the end of the table.
        var bytes = Self.namedTextSection(is64: true, littleEndian: true)
        let layout = ELFBuilder(tables: [ELFBuilder.Table(type: 2, symbols: [.init(name: "main", value: 0x10100)])])
            .buildWithLayout().layout
        var writer = ByteWriter(bytes: bytes, littleEndian: true)
        writer.put(0xffff_fff0, size: 4, at: layout.sectionHeaderOffset + 64)
        bytes = writer.bytes
        let badName = try ELFFile(bytes: bytes)
        #expect(throws: BinaryFormatError.self) { try badName.sectionContents(named: "main") }
    }

    @Test func randomCorruptionNeverTraps() throws {
        var generator = SplitMix64(seed: 0x5EC7_1045)
        let base = Self.namedTextSection(is64: true, littleEndian: true)
        for _ in 0..<2000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            guard let elf = try? ELFFile(bytes: bytes) else { continue }
            _ = try? elf.sectionContents(named: "main")
            _ = try? elf.sectionContents(named: "license")
        }
    }
}
