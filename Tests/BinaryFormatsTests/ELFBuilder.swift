/// Builds small but structurally complete ELF files for tests.
///
/// Layout: ELF header, one PT_LOAD program header (mapping the whole file at
/// `segmentAddress`), `.text` at file offset 0x100 (0x100 bytes), a shared
/// string table, the symbol tables, an optional versym table, and the section
/// header table last. Section indices: 0 null, 1 .text, 2 .strtab, then one
/// per symbol table, then versym.
struct ELFBuilder {
    struct Symbol {
        var name: String
        var value: UInt64
        var info: UInt8 = 0x12  // STB_GLOBAL | STT_FUNC
        var sectionIndex: UInt16 = 1
    }

    struct Table {
        var type: UInt32  // 2 = SHT_SYMTAB, 11 = SHT_DYNSYM
        var symbols: [Symbol]
        var versions: [UInt16]? = nil  // one per symbol (index 0 excluded), dynsym only
    }

    var is64 = true
    var littleEndian = true
    var type: UInt16 = 3
    var machine: UInt16 = 62
    var programHeaders = true
    var segmentAddress: UInt64 = 0x10000
    var tables: [Table] = []

    var textAddress: UInt64 { type == 1 ? 0 : segmentAddress + 0x100 }
    var headerSize: Int { is64 ? 64 : 52 }
    var sectionHeaderSize: Int { is64 ? 64 : 40 }
    var symbolSize: Int { is64 ? 24 : 16 }

    /// Offsets of interesting structures in the last built file.
    struct Layout {
        var sectionHeaderOffset = 0
        var stringTableIndex = 2
        var firstSymbolTableIndex = 3
        var stringTableOffset = 0
        var stringTableSize = 0
        var symbolTableOffsets: [Int] = []
    }

    func build() -> [UInt8] { buildWithLayout().bytes }

    func buildWithLayout() -> (bytes: [UInt8], layout: Layout) {
        var w = ByteWriter(littleEndian: littleEndian)
        var layout = Layout()
        w.pad(to: 0x100)
        w.put([UInt8](repeating: 0xCC, count: 0x100), at: 0x100)

        var strings: [UInt8] = [0]
        var nameOffsets: [String: Int] = [:]
        for table in tables {
            for symbol in table.symbols where nameOffsets[symbol.name] == nil {
                nameOffsets[symbol.name] = strings.count
                strings += Array(symbol.name.utf8) + [0]
            }
        }
        layout.stringTableOffset = 0x200
        layout.stringTableSize = strings.count
        w.put(strings, at: 0x200)

        var cursor = (0x200 + strings.count + 7) & ~7
        var tableRanges: [(offset: Int, size: Int)] = []
        var versionRanges: [(offset: Int, size: Int, tableIndex: Int)] = []
        for (tableIndex, table) in tables.enumerated() {
            let start = cursor
            w.pad(to: start + symbolSize)  // null symbol
            for (index, symbol) in table.symbols.enumerated() {
                let base = start + (index + 1) * symbolSize
                let name = UInt64(nameOffsets[symbol.name] ?? 0)
                if is64 {
                    w.put(name, size: 4, at: base)
                    w.put(UInt64(symbol.info), size: 1, at: base + 4)
                    w.put(UInt64(symbol.sectionIndex), size: 2, at: base + 6)
                    w.put(symbol.value, size: 8, at: base + 8)
                    w.put(16, size: 8, at: base + 16)
                } else {
                    w.put(name, size: 4, at: base)
                    w.put(symbol.value, size: 4, at: base + 4)
                    w.put(16, size: 4, at: base + 8)
                    w.put(UInt64(symbol.info), size: 1, at: base + 12)
                    w.put(UInt64(symbol.sectionIndex), size: 2, at: base + 14)
                }
            }
            let size = (table.symbols.count + 1) * symbolSize
            tableRanges.append((start, size))
            layout.symbolTableOffsets.append(start)
            cursor = (start + size + 7) & ~7
            if let versions = table.versions {
                let vstart = cursor
                w.pad(to: vstart + 2)
                for (index, version) in versions.enumerated() {
                    w.put(UInt64(version), size: 2, at: vstart + 2 * (index + 1))
                }
                versionRanges.append((vstart, 2 * (versions.count + 1), tableIndex))
                cursor = (vstart + 2 * (versions.count + 1) + 7) & ~7
            }
        }
        w.pad(to: cursor)

        // Section headers.
        let shoff = cursor
        layout.sectionHeaderOffset = shoff
        var headers: [(type: UInt32, addr: UInt64, offset: Int, size: Int, link: Int, info: Int, entsize: Int)] = [
            (0, 0, 0, 0, 0, 0, 0),
            (1, textAddress, 0x100, 0x100, 0, 0, 0),
            (3, 0, 0x200, strings.count, 0, 0, 0),
        ]
        for (index, table) in tables.enumerated() {
            headers.append((table.type, 0, tableRanges[index].offset, tableRanges[index].size, 2, 1, symbolSize))
        }
        for version in versionRanges {
            headers.append((0x6fff_ffff, 0, version.offset, version.size, 3 + version.tableIndex, 0, 2))
        }
        for (index, header) in headers.enumerated() {
            let base = shoff + index * sectionHeaderSize
            w.pad(to: base + sectionHeaderSize)
            w.put(UInt64(header.type), size: 4, at: base + 4)
            if is64 {
                w.put(header.addr, size: 8, at: base + 16)
                w.put(UInt64(header.offset), size: 8, at: base + 24)
                w.put(UInt64(header.size), size: 8, at: base + 32)
                w.put(UInt64(header.link), size: 4, at: base + 40)
                w.put(UInt64(header.info), size: 4, at: base + 44)
                w.put(UInt64(header.entsize), size: 8, at: base + 56)
            } else {
                w.put(header.addr, size: 4, at: base + 12)
                w.put(UInt64(header.offset), size: 4, at: base + 16)
                w.put(UInt64(header.size), size: 4, at: base + 20)
                w.put(UInt64(header.link), size: 4, at: base + 24)
                w.put(UInt64(header.info), size: 4, at: base + 28)
                w.put(UInt64(header.entsize), size: 4, at: base + 36)
            }
        }
        let fileSize = w.bytes.count

        // ELF header.
        w.put([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, littleEndian ? 1 : 2, 1], at: 0)
        w.put(UInt64(type), size: 2, at: 16)
        w.put(UInt64(machine), size: 2, at: 18)
        w.put(1, size: 4, at: 20)
        let phoff = programHeaders ? headerSize : 0
        if is64 {
            w.put(UInt64(phoff), size: 8, at: 32)
            w.put(UInt64(shoff), size: 8, at: 40)
            w.put(64, size: 2, at: 52)
            w.put(56, size: 2, at: 54)
            w.put(programHeaders ? 1 : 0, size: 2, at: 56)
            w.put(64, size: 2, at: 58)
            w.put(UInt64(headers.count), size: 2, at: 60)
        } else {
            w.put(UInt64(phoff), size: 4, at: 28)
            w.put(UInt64(shoff), size: 4, at: 32)
            w.put(52, size: 2, at: 40)
            w.put(32, size: 2, at: 42)
            w.put(programHeaders ? 1 : 0, size: 2, at: 44)
            w.put(40, size: 2, at: 46)
            w.put(UInt64(headers.count), size: 2, at: 48)
        }
        if programHeaders {
            let base = headerSize
            w.put(1, size: 4, at: base)  // PT_LOAD
            if is64 {
                w.put(5, size: 4, at: base + 4)
                w.put(0, size: 8, at: base + 8)
                w.put(segmentAddress, size: 8, at: base + 16)
                w.put(segmentAddress, size: 8, at: base + 24)
                w.put(UInt64(fileSize), size: 8, at: base + 32)
                w.put(UInt64(fileSize), size: 8, at: base + 40)
                w.put(0x1000, size: 8, at: base + 48)
            } else {
                w.put(0, size: 4, at: base + 4)
                w.put(segmentAddress, size: 4, at: base + 8)
                w.put(segmentAddress, size: 4, at: base + 12)
                w.put(UInt64(fileSize), size: 4, at: base + 16)
                w.put(UInt64(fileSize), size: 4, at: base + 20)
                w.put(5, size: 4, at: base + 24)
                w.put(0x1000, size: 4, at: base + 28)
            }
        }
        return (w.bytes, layout)
    }
}
