/// A symbol selected from an ELF symbol table.
struct ELFSymbol: Equatable, Sendable {
    /// Symbol value (`st_value`): a virtual address, or a section offset in relocatable objects.
    let value: UInt64
    /// Index of the defining section (`st_shndx`).
    let sectionIndex: UInt16
}

/// A validated view of one `SHT_SYMTAB` or `SHT_DYNSYM` section with its string table.
///
/// Construction checks the symbol data, the linked string table (which must
/// be `SHT_STRTAB`, not the table itself, and end with a NUL byte) and, for
/// `.dynsym`, an optional parallel `SHT_GNU_versym` table.
struct ELFSymbolTable {
    /// Symbol types worth resolving: `STT_NOTYPE`, `STT_OBJECT`, `STT_FUNC`, `STT_GNU_IFUNC`.
    private static let acceptedTypes: Set<UInt8> = [0, 1, 2, 10]
    /// `VERSYM_HIDDEN`: the symbol is a non-default version (`name@VERSION`).
    private static let hiddenVersionBit: UInt16 = 0x8000

    private let reader: ByteReader
    private let is64: Bool
    private let sectionIndex: Int
    private let symbols: Range<Int>
    private let entrySize: Int
    private let count: Int
    private let strings: Range<Int>
    private let versions: Range<Int>?

    /// Validates the symbol table in section `sectionIndex` of `file`.
    init(file: ELFFile, sectionIndex: Int) throws(BinaryFormatError) {
        reader = file.reader
        is64 = file.is64
        self.sectionIndex = sectionIndex
        let section = file.sections[sectionIndex]
        symbols = try file.dataRange(ofSection: sectionIndex, "symbol table")
        let minimum = is64 ? 24 : 16
        let declared = section.entrySize == 0 ? UInt64(minimum) : section.entrySize
        guard declared >= UInt64(minimum), symbols.isEmpty || declared <= UInt64(symbols.count) else {
            throw BinaryFormatError(.malformed, "elf: symbol table section \(sectionIndex) entry size \(section.entrySize) invalid")
        }
        entrySize = symbols.isEmpty ? minimum : Int(declared)
        count = symbols.count / entrySize

        let link = Int(section.link)
        guard link != sectionIndex, link > 0, link < file.sections.count,
              file.sections[link].type == ELFSectionHeader.typeStringTable else {
            throw BinaryFormatError(.malformed, "elf: symbol table section \(sectionIndex) links to invalid string table \(link)")
        }
        strings = try file.dataRange(ofSection: link, "string table")
        if let last = strings.last, reader.bytes[last] != 0 {
            throw BinaryFormatError(.malformed, "elf: string table section \(link) is not nul terminated")
        }

        var versions: Range<Int>? = nil
        if section.type == ELFSectionHeader.typeDynamicSymbols {
            var index = 0
            while index < file.sections.count {
                let candidate = file.sections[index]
                if candidate.type == ELFSectionHeader.typeGNUVersionSymbols && Int(candidate.link) == sectionIndex {
                    let range = try file.dataRange(ofSection: index, "symbol version table")
                    guard range.count / 2 >= count else {
                        throw BinaryFormatError(.malformed, "elf: symbol version table section \(index) shorter than its symbol table")
                    }
                    versions = range
                    break
                }
                index += 1
            }
        }
        self.versions = versions
    }

    /// Returns the preferred defined symbol called `name`, or `nil`.
    ///
    /// The first matching symbol whose version is not hidden wins; failing
    /// that, the first matching symbol.
    func bestMatch(named name: [UInt8], allowZeroValue: Bool) throws(BinaryFormatError) -> ELFSymbol? {
        var fallback: ELFSymbol? = nil
        var index = 0
        while index < count {
            let base = symbols.lowerBound + index * entrySize
            if try nameMatches(name, nameOffset: try reader.u32(base), symbolIndex: index) {
                let info = try reader.u8(base + (is64 ? 4 : 12))
                let sectionIndex = try reader.u16(base + (is64 ? 6 : 14))
                let value = try reader.word(base + (is64 ? 8 : 4), is64: is64)
                if ELFSymbolTable.acceptedTypes.contains(info & 0x0f), sectionIndex != 0, value != 0 || allowZeroValue {
                    let symbol = ELFSymbol(value: value, sectionIndex: sectionIndex)
                    guard let versions else { return symbol }
                    let version = try reader.u16(versions.lowerBound + index * 2)
                    if version & ELFSymbolTable.hiddenVersionBit == 0 { return symbol }
                    if fallback == nil { fallback = symbol }
                }
            }
            index += 1
        }
        return fallback
    }

    private func nameMatches(_ name: [UInt8], nameOffset: UInt32, symbolIndex: Int) throws(BinaryFormatError) -> Bool {
        let offset = Int(nameOffset)
        guard offset < strings.count else {
            throw BinaryFormatError(.malformed, "elf: symbol \(symbolIndex) of section \(sectionIndex) name offset \(offset) out of range")
        }
        let start = strings.lowerBound + offset
        // The string table ends with NUL, so a name that fits is terminated in range.
        guard name.count < strings.upperBound - start else { return false }
        let bytes = reader.bytes
        var index = 0
        while index < name.count {
            if bytes[start + index] != name[index] { return false }
            index += 1
        }
        return bytes[start + name.count] == 0
    }
}
