import CLinuxShims

/// The running executable as the kernel mapped it.
package enum ExecutableImage {
    /// The executable's GNU build ID (the `NT_GNU_BUILD_ID` note), read from
    /// its loaded `PT_NOTE` segments through the program headers the kernel
    /// hands every process (`AT_PHDR`, `AT_PHNUM`), so no file is opened;
    /// nil when there is none. ELF64 only.
    package static func gnuBuildID() -> [UInt8]? {
        let headerSize = 56  // Elf64_Phdr
        let count = Int(cshim_program_header_count())
        guard MemoryLayout<Int>.size == 8, count > 0, let table = UnsafeRawPointer(bitPattern: UInt(cshim_program_headers())) else {
            return nil
        }
        let headers = UnsafeRawBufferPointer(start: table, count: count * headerSize)
        func type(_ index: Int) -> UInt32 { headers.loadUnaligned(fromByteOffset: index * headerSize, as: UInt32.self) }
        func field(_ index: Int, _ offset: Int) -> UInt { UInt(headers.loadUnaligned(fromByteOffset: index * headerSize + offset, as: UInt64.self)) }
        // A position-independent executable is loaded at AT_PHDR minus the
        // address its PT_PHDR (6) segment names; a fixed one at 0.
        let base = (0..<count).first { type($0) == 6 }.map { UInt(bitPattern: table) &- field($0, 16) } ?? 0
        for index in 0..<count where type(index) == 4 {  // PT_NOTE
            guard let start = UnsafeRawPointer(bitPattern: base &+ field(index, 16)) else { continue }
            if let id = buildID(inNotes: UnsafeRawBufferPointer(start: start, count: Int(field(index, 40)))) { return id }
        }
        return nil
    }

    /// The descriptor of the `GNU` note of type 3 (`NT_GNU_BUILD_ID`) in a
    /// note segment, every size checked against the segment.
    static func buildID(inNotes notes: UnsafeRawBufferPointer) -> [UInt8]? {
        func aligned(_ value: Int) -> Int { (value + 3) & ~3 }
        var offset = 0
        while offset + 12 <= notes.count {
            let nameSize = Int(notes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let descriptorSize = Int(notes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            let type = notes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let name = offset + 12
            guard nameSize <= notes.count, descriptorSize <= notes.count else { return nil }
            let descriptor = name + aligned(nameSize)
            guard descriptor + descriptorSize <= notes.count else { return nil }
            if type == 3, nameSize == 4, Array(notes[name..<(name + 4)]) == Array("GNU\0".utf8) {
                return Array(notes[descriptor..<(descriptor + descriptorSize)])
            }
            offset = descriptor + aligned(descriptorSize)
        }
        return nil
    }
}
