/// One entry of an ELF program header table, widened to 64-bit fields.
struct ELFProgramHeader: Equatable, Sendable {
    /// `PT_LOAD`: a segment mapped from the file.
    static let typeLoad: UInt32 = 1

    /// Segment type (`p_type`).
    let type: UInt32
    /// File offset of the segment (`p_offset`).
    let offset: UInt64
    /// Virtual address of the segment (`p_vaddr`).
    let virtualAddress: UInt64
    /// Bytes of the segment present in the file (`p_filesz`).
    let fileSize: UInt64
    /// Bytes of the segment in memory (`p_memsz`).
    let memorySize: UInt64

    /// Reads the program header at `offset`, using the 32-bit or 64-bit layout.
    init(reader: ByteReader, at offset: Int, is64: Bool) throws(BinaryFormatError) {
        type = try reader.u32(offset)
        if is64 {
            self.offset = try reader.u64(offset + 8)
            virtualAddress = try reader.u64(offset + 16)
            fileSize = try reader.u64(offset + 32)
            memorySize = try reader.u64(offset + 40)
        } else {
            self.offset = UInt64(try reader.u32(offset + 4))
            virtualAddress = UInt64(try reader.u32(offset + 8))
            fileSize = UInt64(try reader.u32(offset + 16))
            memorySize = UInt64(try reader.u32(offset + 20))
        }
    }

    /// The file offset backing `address` if this is a load segment whose file-backed part contains it.
    func fileOffset(ofVirtualAddress address: UInt64) -> UInt64? {
        guard type == ELFProgramHeader.typeLoad, address >= virtualAddress else { return nil }
        let delta = address - virtualAddress
        guard delta < fileSize else { return nil }
        let (result, overflow) = offset.addingReportingOverflow(delta)
        return overflow ? nil : result
    }
}
