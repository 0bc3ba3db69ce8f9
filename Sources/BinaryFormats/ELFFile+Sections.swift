extension ELFFile {
    /// `SHN_UNDEF`: the file has no section-header string table.
    private static let undefinedSectionIndex = 0

    /// Returns the bytes of the first section called `name`, such as `"license"` in a BPF object.
    ///
    /// Section names come from the section-header string table (`e_shstrndx`,
    /// with `SHN_XINDEX` resolved through section 0). Every offset is bounds
    /// checked against the file, so hostile input throws instead of trapping.
    ///
    /// - Returns: the section data, or `nil` when no section has that name,
    ///   the file has no section-name table, or the section is `SHT_NOBITS`.
    /// - Throws: `BinaryFormatError` when the name table or the section's data
    ///   range is corrupt.
    package func sectionContents(named name: String) throws(BinaryFormatError) -> [UInt8]? {
        let wanted = Array(name.utf8)
        guard !wanted.isEmpty, !sections.isEmpty else { return nil }
        let tableIndex = sectionNameTableIndex
        guard tableIndex != ELFFile.undefinedSectionIndex else { return nil }
        guard tableIndex > 0, tableIndex < sections.count else {
            throw BinaryFormatError(.malformed, "elf: section name table index \(tableIndex) out of range")
        }
        guard sections[tableIndex].type == ELFSectionHeader.typeStringTable else {
            throw BinaryFormatError(.malformed, "elf: section name table \(tableIndex) is not a string table")
        }
        let names = try dataRange(ofSection: tableIndex, "section name table")
        var index = 1
        while index < sections.count {
            if try sectionName(of: index, in: names, matches: wanted) {
                if sections[index].type == ELFSectionHeader.typeNoBits { return nil }
                return Array(reader.bytes[try dataRange(ofSection: index, "section \(name)")])
            }
            index += 1
        }
        return nil
    }

    /// Whether the name of section `index` in the name table `names` equals `wanted` exactly.
    private func sectionName(of index: Int, in names: Range<Int>, matches wanted: [UInt8]) throws(BinaryFormatError) -> Bool {
        let offset = Int(sections[index].nameOffset)
        guard offset < names.count else {
            throw BinaryFormatError(.malformed, "elf: section \(index) name offset \(offset) out of range")
        }
        let start = names.lowerBound + offset
        // Room for the name plus its terminator must exist inside the table.
        guard wanted.count < names.upperBound - start else { return false }
        let bytes = reader.bytes
        var position = 0
        while position < wanted.count {
            if bytes[start + position] != wanted[position] { return false }
            position += 1
        }
        return bytes[start + wanted.count] == 0
    }
}
