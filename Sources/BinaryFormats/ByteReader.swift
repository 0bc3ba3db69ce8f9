/// Bounds-checked, endian-aware reads over an immutable byte array.
///
/// Every read validates its range first and throws `BinaryFormatError`
/// (`.truncated`) instead of trapping, so hostile input can never crash the
/// caller. `context` prefixes error messages (for example `"elf"`).
struct ByteReader: Sendable {
    /// The bytes being read.
    let bytes: [UInt8]
    /// Whether multi-byte integers are stored little endian.
    let isLittleEndian: Bool
    /// Format name used as the error message prefix.
    let context: String

    /// Number of bytes available.
    var count: Int { bytes.count }

    /// Creates a reader over `bytes`.
    init(_ bytes: [UInt8], littleEndian: Bool, context: String) {
        self.bytes = bytes
        self.isLittleEndian = littleEndian
        self.context = context
    }

    /// Returns a copy of this reader using a different byte order.
    func withEndianness(littleEndian: Bool) -> ByteReader {
        ByteReader(bytes, littleEndian: littleEndian, context: context)
    }

    /// Throws unless `length` bytes starting at `offset` are inside the input.
    func check(_ offset: Int, _ length: Int, _ what: String) throws(BinaryFormatError) {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw BinaryFormatError(.truncated, "\(context): \(what) at offset \(offset) length \(length) exceeds size \(count)")
        }
    }

    /// Validates a file-supplied (offset, size) pair and returns it as an index range.
    func range(offset: UInt64, size: UInt64, _ what: String) throws(BinaryFormatError) -> Range<Int> {
        let (end, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, end <= UInt64(count) else {
            throw BinaryFormatError(.truncated, "\(context): \(what) at offset \(offset) size \(size) exceeds file size \(count)")
        }
        // Both values are <= count, which is an Int, so the conversions are exact.
        return Int(offset)..<Int(end)
    }

    /// Reads one byte.
    func u8(_ offset: Int) throws(BinaryFormatError) -> UInt8 {
        try check(offset, 1, "byte")
        return bytes[offset]
    }

    /// Reads an unsigned 16-bit integer in the reader's byte order.
    func u16(_ offset: Int) throws(BinaryFormatError) -> UInt16 {
        UInt16(truncatingIfNeeded: try unsigned(offset, 2))
    }

    /// Reads an unsigned 32-bit integer in the reader's byte order.
    func u32(_ offset: Int) throws(BinaryFormatError) -> UInt32 {
        UInt32(truncatingIfNeeded: try unsigned(offset, 4))
    }

    /// Reads a signed 32-bit integer in the reader's byte order.
    func i32(_ offset: Int) throws(BinaryFormatError) -> Int32 {
        Int32(bitPattern: try u32(offset))
    }

    /// Reads an unsigned 64-bit integer in the reader's byte order.
    func u64(_ offset: Int) throws(BinaryFormatError) -> UInt64 {
        try unsigned(offset, 8)
    }

    /// Reads a 32-bit or 64-bit word (an ELF address or offset) as `UInt64`.
    func word(_ offset: Int, is64: Bool) throws(BinaryFormatError) -> UInt64 {
        is64 ? try u64(offset) : UInt64(try u32(offset))
    }

    /// Whether the bytes at `offset` equal `expected` (false when out of range).
    func matches(_ expected: [UInt8], at offset: Int) -> Bool {
        guard offset >= 0, offset <= count, expected.count <= count - offset else { return false }
        var index = 0
        while index < expected.count {
            if bytes[offset + index] != expected[index] { return false }
            index += 1
        }
        return true
    }

    /// Reads a NUL-terminated string starting at `offset` that must end before `limit`.
    ///
    /// At most `maxLength` bytes are scanned, which bounds the work per string
    /// even when hostile input omits terminators.
    func cString(at offset: Int, limit: Int, maxLength: Int, _ what: String) throws(BinaryFormatError) -> String {
        let end = min(limit, count)
        guard offset >= 0, offset < end else {
            throw BinaryFormatError(.malformed, "\(context): \(what) string offset \(offset) out of range")
        }
        var index = offset
        let scanEnd = end - offset > maxLength ? offset + maxLength + 1 : end
        while index < scanEnd {
            if bytes[index] == 0 {
                return String(decoding: bytes[offset..<index], as: UTF8.self)
            }
            index += 1
        }
        if scanEnd < end {
            throw BinaryFormatError(.malformed, "\(context): \(what) string at offset \(offset) longer than \(maxLength) bytes")
        }
        throw BinaryFormatError(.malformed, "\(context): \(what) string at offset \(offset) has no nul terminator")
    }

    private func unsigned(_ offset: Int, _ size: Int) throws(BinaryFormatError) -> UInt64 {
        try check(offset, size, "\(size * 8)-bit integer")
        var value: UInt64 = 0
        var index = 0
        while index < size {
            let byte = UInt64(bytes[offset + index])
            if isLittleEndian {
                value |= byte << UInt64(8 * index)
            } else {
                value = (value << 8) | byte
            }
            index += 1
        }
        return value
    }
}
