/// A parsed ELF object (32/64-bit, little/big endian) that can resolve symbols to file offsets.
///
/// The initializer validates the ELF header and reads the program and section
/// header tables; symbol tables are read lazily by `symbolFileOffset(named:)`.
/// Every offset and count taken from the file is bounds checked, and table
/// sizes are capped by the file size, so hostile input is rejected with a
/// `BinaryFormatError` in time proportional to the file size.
package struct ELFFile: Sendable {
    /// The ELF class (`EI_CLASS`): 32-bit or 64-bit layout.
    package enum ELFClass: Int, Sendable {
        /// `ELFCLASS32`.
        case elf32 = 32
        /// `ELFCLASS64`.
        case elf64 = 64
    }

    /// The ELF object file type (`e_type`).
    package struct FileType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The raw `e_type` value.
        package let rawValue: UInt16
        /// Wraps a raw `e_type` value.
        package init(rawValue: UInt16) { self.rawValue = rawValue }
        /// `ET_NONE`.
        package static let none = FileType(rawValue: 0)
        /// `ET_REL`: a relocatable object (`.o`, BPF objects).
        package static let relocatable = FileType(rawValue: 1)
        /// `ET_EXEC`: a position-dependent executable.
        package static let executable = FileType(rawValue: 2)
        /// `ET_DYN`: a shared object or position-independent executable.
        package static let sharedObject = FileType(rawValue: 3)
        /// `ET_CORE`: a core dump.
        package static let core = FileType(rawValue: 4)
        /// Short lowercase name such as `"dyn"`, or the number for unknown types.
        package var description: String {
            switch rawValue {
            case 0: "none"
            case 1: "rel"
            case 2: "exec"
            case 3: "dyn"
            case 4: "core"
            default: "type \(rawValue)"
            }
        }
    }

    /// Whether the file uses the 32-bit or 64-bit layout.
    package let elfClass: ELFClass
    /// Whether multi-byte fields are little endian (`ELFDATA2LSB`).
    package let isLittleEndian: Bool
    /// Target machine (`e_machine`), for example 62 for x86-64 or 183 for AArch64.
    package let machine: UInt16
    /// Object file type (`e_type`).
    package let type: FileType

    let reader: ByteReader
    let headerSize: Int
    let programHeaders: [ELFProgramHeader]
    let sections: [ELFSectionHeader]
    let sectionHeaderTable: Range<Int>
    /// Index of the section-header string table (`e_shstrndx`, resolved through `SHN_XINDEX`).
    let sectionNameTableIndex: Int

    var is64: Bool { elfClass == .elf64 }

    /// Parses the ELF header and the program and section header tables of `bytes`.
    package init(bytes: [UInt8]) throws(BinaryFormatError) {
        let probe = ByteReader(bytes, littleEndian: true, context: "elf")
        guard bytes.count >= 16 else {
            throw BinaryFormatError(.truncated, "elf: file of \(bytes.count) bytes is shorter than the identification header")
        }
        guard probe.matches([0x7f, 0x45, 0x4c, 0x46], at: 0) else {
            throw BinaryFormatError(.badMagic, "elf: bad magic")
        }
        switch bytes[4] {
        case 1: elfClass = .elf32
        case 2: elfClass = .elf64
        default: throw BinaryFormatError(.unsupported, "elf: unsupported class \(bytes[4])")
        }
        switch bytes[5] {
        case 1: isLittleEndian = true
        case 2: isLittleEndian = false
        default: throw BinaryFormatError(.unsupported, "elf: unsupported data encoding \(bytes[5])")
        }
        let is64 = elfClass == .elf64
        let reader = probe.withEndianness(littleEndian: isLittleEndian)
        self.reader = reader
        headerSize = is64 ? 64 : 52
        guard bytes.count >= headerSize else {
            throw BinaryFormatError(.truncated, "elf: file of \(bytes.count) bytes is shorter than the \(headerSize)-byte header")
        }
        type = FileType(rawValue: try reader.u16(16))
        machine = try reader.u16(18)
        let programHeaderOffset = try reader.word(is64 ? 32 : 28, is64: is64)
        let sectionHeaderOffset = try reader.word(is64 ? 40 : 32, is64: is64)
        let programHeaderEntrySize = Int(try reader.u16(is64 ? 54 : 42))
        let rawProgramHeaderCount = try reader.u16(is64 ? 56 : 44)
        let sectionHeaderEntrySize = Int(try reader.u16(is64 ? 58 : 46))
        let rawSectionCount = try reader.u16(is64 ? 60 : 48)
        let rawSectionNameTableIndex = try reader.u16(is64 ? 62 : 50)

        (sections, sectionHeaderTable) = try ELFFile.readSections(
            reader: reader, is64: is64, headerSize: headerSize, offset: sectionHeaderOffset,
            entrySize: sectionHeaderEntrySize, rawCount: rawSectionCount)
        if rawSectionNameTableIndex == 0xffff, let first = sections.first {
            sectionNameTableIndex = Int(first.link)  // SHN_XINDEX: real index lives in section 0
        } else {
            sectionNameTableIndex = Int(rawSectionNameTableIndex)
        }

        var programHeaderCount = UInt64(rawProgramHeaderCount)
        if rawProgramHeaderCount == 0xffff, let first = sections.first {
            programHeaderCount = UInt64(first.info)  // PN_XNUM: real count lives in section 0
        }
        var programHeaders: [ELFProgramHeader] = []
        if programHeaderCount > 0 && programHeaderOffset != 0 {
            let minimum = is64 ? 56 : 32
            guard programHeaderEntrySize >= minimum else {
                throw BinaryFormatError(.malformed, "elf: program header entry size \(programHeaderEntrySize) smaller than \(minimum)")
            }
            guard programHeaderOffset >= UInt64(headerSize) else {
                throw BinaryFormatError(.malformed, "elf: program header table at offset \(programHeaderOffset) overlaps the elf header")
            }
            let table = try ELFFile.tableRange(reader: reader, offset: programHeaderOffset, count: programHeaderCount,
                                               entrySize: programHeaderEntrySize, what: "program header table")
            programHeaders.reserveCapacity(Int(programHeaderCount))
            var position = table.lowerBound
            while position < table.upperBound {
                programHeaders.append(try ELFProgramHeader(reader: reader, at: position, is64: is64))
                position += programHeaderEntrySize
            }
        }
        self.programHeaders = programHeaders
    }

    /// Returns the file offset of the symbol `name`, the value a uprobe attachment needs.
    ///
    /// `.symtab` is searched before `.dynsym`. Only function, object, ifunc and
    /// untyped symbols that are defined (`st_shndx != SHN_UNDEF`) and, except in
    /// relocatable objects, have a nonzero value are considered. Names match
    /// exactly; versioned spellings such as `"malloc@GLIBC_2.2.5"` are not
    /// understood, but when `.dynsym` holds several versions of a name the
    /// default (non-hidden) version wins. The symbol's virtual address is
    /// converted through the `PT_LOAD` segment containing it; relocatable
    /// objects and files without program headers use the symbol's section.
    ///
    /// - Returns: the file offset, or `nil` when no such symbol exists.
    /// - Throws: `BinaryFormatError` when a symbol table is corrupt or the
    ///   symbol's address maps to no file offset.
    package func symbolFileOffset(named name: String) throws(BinaryFormatError) -> UInt64? {
        let wanted = Array(name.utf8)
        guard !wanted.isEmpty else { return nil }
        for tableType in [ELFSectionHeader.typeSymbolTable, ELFSectionHeader.typeDynamicSymbols] {
            var index = 0
            while index < sections.count {
                if sections[index].type == tableType {
                    let table = try ELFSymbolTable(file: self, sectionIndex: index)
                    if let symbol = try table.bestMatch(named: wanted, allowZeroValue: type == .relocatable) {
                        return try fileOffset(of: symbol, name: name)
                    }
                }
                index += 1
            }
        }
        return nil
    }

    /// Validates the data range of section `index` and returns it as indices into the file.
    ///
    /// Rejects `SHT_NOBITS` sections and data that overlaps the ELF header or
    /// the section header table.
    func dataRange(ofSection index: Int, _ what: String) throws(BinaryFormatError) -> Range<Int> {
        guard index >= 0, index < sections.count else {
            throw BinaryFormatError(.malformed, "elf: \(what) section index \(index) out of range")
        }
        let section = sections[index]
        guard section.type != ELFSectionHeader.typeNoBits else {
            throw BinaryFormatError(.malformed, "elf: \(what) section \(index) has no file data")
        }
        let range = try reader.range(offset: section.offset, size: section.size, "\(what) section \(index)")
        if !range.isEmpty && (range.lowerBound < headerSize || range.overlaps(sectionHeaderTable)) {
            throw BinaryFormatError(.malformed, "elf: \(what) section \(index) overlaps the elf or section headers")
        }
        return range
    }

    private func fileOffset(of symbol: ELFSymbol, name: String) throws(BinaryFormatError) -> UInt64 {
        let address = symbol.value
        if type != .relocatable {
            for header in programHeaders {
                if let offset = header.fileOffset(ofVirtualAddress: address) {
                    return try checkedInFile(offset, name: name)
                }
            }
        }
        let index = Int(symbol.sectionIndex)
        let hex = String(address, radix: 16)
        guard index > 0, index < 0xff00, index < sections.count else {
            throw BinaryFormatError(.malformed, "elf: symbol \(name) address 0x\(hex) is in no loadable segment or section")
        }
        let section = sections[index]
        guard section.type != ELFSectionHeader.typeNoBits else {
            throw BinaryFormatError(.unsupported, "elf: symbol \(name) address 0x\(hex) has no file data (section \(index) is nobits)")
        }
        guard address >= section.address, address - section.address < section.size else {
            throw BinaryFormatError(.malformed, "elf: symbol \(name) address 0x\(hex) is outside the file data of section \(index)")
        }
        let (offset, overflow) = section.offset.addingReportingOverflow(address - section.address)
        guard !overflow else {
            throw BinaryFormatError(.malformed, "elf: symbol \(name) file offset overflows")
        }
        return try checkedInFile(offset, name: name)
    }

    private func checkedInFile(_ offset: UInt64, name: String) throws(BinaryFormatError) -> UInt64 {
        guard offset < UInt64(reader.count) else {
            throw BinaryFormatError(.malformed, "elf: symbol \(name) file offset \(offset) beyond file size \(reader.count)")
        }
        return offset
    }

    private static func readSections(
        reader: ByteReader, is64: Bool, headerSize: Int, offset: UInt64, entrySize: Int, rawCount: UInt16
    ) throws(BinaryFormatError) -> ([ELFSectionHeader], Range<Int>) {
        guard offset != 0 else { return ([], 0..<0) }
        let minimum = is64 ? 64 : 40
        guard entrySize >= minimum else {
            throw BinaryFormatError(.malformed, "elf: section header entry size \(entrySize) smaller than \(minimum)")
        }
        guard offset >= UInt64(headerSize) else {
            throw BinaryFormatError(.malformed, "elf: section header table at offset \(offset) overlaps the elf header")
        }
        var count = UInt64(rawCount)
        if rawCount == 0 {
            // Extended numbering: the real count is sh_size of section 0.
            let first = try reader.range(offset: offset, size: UInt64(entrySize), "section header 0")
            count = try ELFSectionHeader(reader: reader, at: first.lowerBound, is64: is64).size
        }
        let table = try tableRange(reader: reader, offset: offset, count: count, entrySize: entrySize,
                                   what: "section header table")
        var sections: [ELFSectionHeader] = []
        sections.reserveCapacity(Int(count))
        var position = table.lowerBound
        while position < table.upperBound {
            sections.append(try ELFSectionHeader(reader: reader, at: position, is64: is64))
            position += entrySize
        }
        return (sections, table)
    }

    private static func tableRange(
        reader: ByteReader, offset: UInt64, count: UInt64, entrySize: Int, what: String
    ) throws(BinaryFormatError) -> Range<Int> {
        let (size, overflow) = count.multipliedReportingOverflow(by: UInt64(entrySize))
        guard !overflow else {
            throw BinaryFormatError(.truncated, "elf: \(what) with \(count) entries exceeds file size \(reader.count)")
        }
        return try reader.range(offset: offset, size: size, what)
    }
}
