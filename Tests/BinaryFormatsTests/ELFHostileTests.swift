import BinaryFormats
import Testing

@Suite struct ELFHostileTests {
    static func lookup(_ bytes: [UInt8], _ name: String = "main") throws(BinaryFormatError) -> UInt64? {
        let elf = try ELFFile(bytes: bytes)
        return try elf.symbolFileOffset(named: name)
    }

    static func sample(is64: Bool = true, littleEndian: Bool = true) -> ([UInt8], ELFBuilder.Layout) {
        var builder = ELFBuilder(is64: is64, littleEndian: littleEndian)
        builder.tables = ELFFileTests.sampleTables(base: builder.textAddress)
        return builder.buildWithLayout()
    }

    /// Applies `patch` to a fresh 64-bit little-endian sample and returns the kind thrown, or nil if none.
    static func kindAfter(_ patch: (inout ByteWriter, ELFBuilder.Layout) -> Void) -> BinaryFormatError.Kind? {
        let (bytes, layout) = sample()
        var writer = ByteWriter(bytes: bytes, littleEndian: true)
        patch(&writer, layout)
        do {
            _ = try lookup(writer.bytes)
            return nil
        } catch {
            return error.kind
        }
    }

    static func sectionField(_ layout: ELFBuilder.Layout, section: Int, field: Int) -> Int {
        layout.sectionHeaderOffset + section * 64 + field
    }

    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func everyTruncationThrows(is64: Bool, littleEndian: Bool) {
        let (bytes, _) = Self.sample(is64: is64, littleEndian: littleEndian)
        #expect((try? Self.lookup(bytes)) == 0x140)
        let start = now()
        for length in 0..<bytes.count {
            #expect(throws: BinaryFormatError.self, "length \(length)") { try Self.lookup(Array(bytes.prefix(length))) }
        }
        #expect(now() - start < 5)
    }

    @Test func headerFieldAttacks() {
        #expect(Self.kindAfter { w, _ in w.put([0x7f, 0x45, 0x4c, 0x47], at: 0) } == .badMagic)
        #expect(Self.kindAfter { w, _ in w.put([3], at: 4) } == .unsupported)
        #expect(Self.kindAfter { w, _ in w.put([0], at: 5) } == .unsupported)
        #expect(Self.kindAfter { w, _ in w.put(0xffff, size: 2, at: 60) } == .truncated)             // e_shnum
        #expect(Self.kindAfter { w, _ in w.put(UInt64.max, size: 8, at: 40) } == .truncated)         // e_shoff
        #expect(Self.kindAfter { w, _ in w.put(8, size: 8, at: 40) } == .malformed)                  // shdrs overlap header
        #expect(Self.kindAfter { w, _ in w.put(10, size: 2, at: 58) } == .malformed)                 // e_shentsize
        #expect(Self.kindAfter { w, _ in w.put(0xfffe, size: 2, at: 56) } == .truncated)             // e_phnum
        #expect(Self.kindAfter { w, _ in w.put(UInt64.max - 10, size: 8, at: 32) } == .truncated)    // e_phoff
        #expect(Self.kindAfter { w, _ in w.put(3, size: 8, at: 32) } == .malformed)                  // phdrs overlap header
        #expect(Self.kindAfter { w, _ in w.put(20, size: 2, at: 54) } == .malformed)                 // e_phentsize
    }

    @Test func extendedNumbering() {
        // Real counts stored in section 0 are honoured...
        #expect(Self.kindAfter { w, l in
            w.put(0, size: 2, at: 60)
            w.put(4, size: 8, at: Self.sectionField(l, section: 0, field: 32))
        } == nil)
        #expect(Self.kindAfter { w, l in
            w.put(0xffff, size: 2, at: 56)
            w.put(1, size: 4, at: Self.sectionField(l, section: 0, field: 44))
        } == nil)
        // ...and hostile ones rejected.
        #expect(Self.kindAfter { w, l in
            w.put(0, size: 2, at: 60)
            w.put(UInt64.max, size: 8, at: Self.sectionField(l, section: 0, field: 32))
        } == .truncated)
        #expect(Self.kindAfter { w, l in
            w.put(0xffff, size: 2, at: 56)
            w.put(0xffff_ffff, size: 4, at: Self.sectionField(l, section: 0, field: 44))
        } == .truncated)
    }

    @Test func sectionHeaderAttacks() {
        let symtab = 3, strtab = 2
        func field(_ l: ELFBuilder.Layout, _ section: Int, _ offset: Int) -> Int { Self.sectionField(l, section: section, field: offset) }
        #expect(Self.kindAfter { w, l in w.put(UInt64.max, size: 8, at: field(l, symtab, 32)) } == .truncated)
        #expect(Self.kindAfter { w, l in w.put(UInt64.max, size: 8, at: field(l, symtab, 24)) } == .truncated)
        #expect(Self.kindAfter { w, l in w.put(UInt64.max - 4, size: 8, at: field(l, strtab, 24)) } == .truncated)
        // Link loops and links to the wrong kind of section.
        #expect(Self.kindAfter { w, l in w.put(UInt64(symtab), size: 4, at: field(l, symtab, 40)) } == .malformed)
        #expect(Self.kindAfter { w, l in w.put(0, size: 4, at: field(l, symtab, 40)) } == .malformed)
        #expect(Self.kindAfter { w, l in w.put(1, size: 4, at: field(l, symtab, 40)) } == .malformed)
        #expect(Self.kindAfter { w, l in w.put(0xffff_ffff, size: 4, at: field(l, symtab, 40)) } == .malformed)
        #expect(Self.kindAfter { w, l in w.put(8, size: 4, at: field(l, strtab, 4)) } == .malformed)  // strtab NOBITS
        // Overlaps with the section header table or the ELF header.
        #expect(Self.kindAfter { w, l in w.put(UInt64(l.sectionHeaderOffset - 16), size: 8, at: field(l, symtab, 24)) } == .malformed)
        #expect(Self.kindAfter { w, l in w.put(0, size: 8, at: field(l, strtab, 24)) } == .malformed)
        // Entry sizes.
        #expect(Self.kindAfter { w, l in w.put(1, size: 8, at: field(l, symtab, 56)) } == .malformed)
        #expect(Self.kindAfter { w, l in w.put(UInt64.max, size: 8, at: field(l, symtab, 56)) } == .malformed)
        #expect(Self.kindAfter { w, l in w.put(0, size: 8, at: field(l, symtab, 56)) } == nil)
    }

    @Test func stringAndSymbolAttacks() {
        // A string table without a final NUL.
        #expect(Self.kindAfter { w, l in w.put([0x41], at: l.stringTableOffset + l.stringTableSize - 1) } == .malformed)
        // An empty string table cannot hold any name.
        #expect(Self.kindAfter { w, l in w.put(0, size: 8, at: Self.sectionField(l, section: 2, field: 32)) } == .malformed)
        // A name offset past the string table.
        #expect(Self.kindAfter { w, l in w.put(0xffff_ffff, size: 4, at: l.symbolTableOffsets[0] + 24) } == .malformed)
        // "main" (symbol 1) pointing far outside every segment and section.
        #expect(Self.kindAfter { w, l in w.put(UInt64.max - 8, size: 8, at: l.symbolTableOffsets[0] + 24 + 8) } == .malformed)
        // "main" with a section index past the table.
        #expect(Self.kindAfter { w, l in
            w.put(0x7fff_0000, size: 8, at: l.symbolTableOffsets[0] + 24 + 8)
            w.put(0x1234, size: 2, at: l.symbolTableOffsets[0] + 24 + 6)
        } == .malformed)
    }

    @Test func randomGarbageIsRejectedQuickly() {
        var rng = SplitMix64(seed: 7)
        let start = now()
        for size in [0, 1, 15, 16, 52, 63, 64, 100, 4096] {
            for _ in 0..<50 {
                var bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if size >= 6 { bytes.replaceSubrange(0..<6, with: [0x7f, 0x45, 0x4c, 0x46, 2, 1]) }
                _ = try? Self.lookup(bytes)
            }
        }
        #expect(now() - start < 5)
    }
}
