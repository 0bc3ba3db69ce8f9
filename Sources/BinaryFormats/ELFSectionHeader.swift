/// One entry of an ELF section header table, widened to 64-bit fields.
struct ELFSectionHeader: Equatable, Sendable {
    /// `SHT_SYMTAB`: the full (static) symbol table.
    static let typeSymbolTable: UInt32 = 2
    /// `SHT_STRTAB`: a string table.
    static let typeStringTable: UInt32 = 3
    /// `SHT_NOBITS`: occupies no file space (for example `.bss`).
    static let typeNoBits: UInt32 = 8
    /// `SHT_DYNSYM`: the dynamic symbol table.
    static let typeDynamicSymbols: UInt32 = 11
    /// `SHT_GNU_versym`: symbol version indices parallel to `.dynsym`.
    static let typeGNUVersionSymbols: UInt32 = 0x6fff_ffff

    /// Offset of the section's name in the section-header string table (`sh_name`).
    let nameOffset: UInt32
    /// Section type (`sh_type`).
    let type: UInt32
    /// Virtual address of the section when loaded (`sh_addr`).
    let address: UInt64
    /// File offset of the section data (`sh_offset`).
    let offset: UInt64
    /// Size of the section data (`sh_size`).
    let size: UInt64
    /// Index of an associated section (`sh_link`).
    let link: UInt32
    /// Extra information (`sh_info`).
    let info: UInt32
    /// Size of one table entry, or zero (`sh_entsize`).
    let entrySize: UInt64

    /// Reads the section header at `offset`, using the 32-bit or 64-bit layout.
    init(reader: ByteReader, at offset: Int, is64: Bool) throws(BinaryFormatError) {
        nameOffset = try reader.u32(offset)
        type = try reader.u32(offset + 4)
        if is64 {
            address = try reader.u64(offset + 16)
            self.offset = try reader.u64(offset + 24)
            size = try reader.u64(offset + 32)
            link = try reader.u32(offset + 40)
            info = try reader.u32(offset + 44)
            entrySize = try reader.u64(offset + 56)
        } else {
            address = UInt64(try reader.u32(offset + 12))
            self.offset = UInt64(try reader.u32(offset + 16))
            size = UInt64(try reader.u32(offset + 20))
            link = try reader.u32(offset + 24)
            info = try reader.u32(offset + 28)
            entrySize = UInt64(try reader.u32(offset + 36))
        }
    }
}
