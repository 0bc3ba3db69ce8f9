@testable import Archive
import Testing

/// Runs `body` and returns the error it throws, or nil when it returns.
func archiveError<T>(_ body: () throws(ArchiveError) -> T) -> ArchiveError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Builds tar archives header field by header field, for inputs TarWriter never produces.
struct RawTar {
    static let posixMagic = "ustar\u{0}00"
    static let gnuMagic = "ustar  \u{0}"

    var bytes: [UInt8] = []

    /// One header block with a correct checksum unless `checksum` is given.
    static func header(name: String, typeflag: Character = "0", size: Int = 0, linkName: String = "",
                       magic: String = posixMagic, prefix: String = "", sizeField: [UInt8]? = nil,
                       checksum: [UInt8]? = nil) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ value: [UInt8], at offset: Int) {
            for (index, byte) in value.enumerated() { block[offset + index] = byte }
        }
        put(Array(name.utf8.prefix(100)), at: 0)
        put(Array("0000644\u{0}".utf8), at: 100)
        put(Array("0000000\u{0}".utf8), at: 108)
        put(Array("0000000\u{0}".utf8), at: 116)
        put(sizeField ?? TarWriter.octal(size, width: 12), at: 124)
        put(Array("00000000000\u{0}".utf8), at: 136)
        block[156] = typeflag.asciiValue!
        put(Array(linkName.utf8.prefix(100)), at: 157)
        put(Array(magic.utf8), at: 257)
        put(Array(prefix.utf8.prefix(155)), at: 345)
        put(checksum ?? checksumField(block), at: 148)
        return block
    }

    /// The checksum field for `block`, summed with the field as spaces.
    static func checksumField(_ block: [UInt8]) -> [UInt8] {
        var sum = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 32 : Int(byte) }
        return TarWriter.octal(sum, width: 7) + [32]
    }

    /// Appends a header and `data`, padded to a block.
    mutating func add(_ name: String, typeflag: Character = "0", data: [UInt8] = [], linkName: String = "",
                      magic: String = posixMagic, prefix: String = "", sizeField: [UInt8]? = nil) {
        bytes += Self.header(name: name, typeflag: typeflag, size: data.count, linkName: linkName, magic: magic,
                             prefix: prefix, sizeField: sizeField)
        bytes += data
        if bytes.count % 512 != 0 { bytes += [UInt8](repeating: 0, count: 512 - bytes.count % 512) }
    }

    /// Appends a PAX header (`x`, or `g` for global) holding `records`.
    mutating func addPAX(_ records: [(String, String)], typeflag: Character = "x") {
        var data: [UInt8] = []
        for (key, value) in records { data += TarWriter.paxRecord(key: key, value: Array(value.utf8)) }
        add("PaxHeader", typeflag: typeflag, data: data)
    }

    /// The archive with its two closing zero blocks.
    func finish() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }
}

@Suite struct TarTests {
    static func read(_ archive: [UInt8], limits: TarLimits = .default) throws(ArchiveError) -> [TarEntry] {
        try TarReader.entries(in: archive, limits: limits)
    }

    static let longPath = String(repeating: "directory/", count: 12) + "file.o"  // 126 bytes, splits
    static let unsplittable = String(repeating: "x", count: 120) + "/" + String(repeating: "y", count: 150)

    static func sampleWriter() -> TarWriter {
        var writer = TarWriter(modificationTime: 1_700_000_000)
        writer.addDirectory(path: "bpf")
        writer.addFile(path: "bpf/prog.o", contents: Array(0..<255) + Array(0..<255) + [1, 2, 3])
        writer.addFile(path: "empty", contents: [])
        writer.addFile(path: "block", contents: [UInt8](repeating: 7, count: 1024), mode: 0o755)
        writer.addSymbolicLink(path: "link.o", target: "bpf/prog.o")
        writer.addHardLink(path: "hard.o", target: "bpf/prog.o")
        writer.addFile(path: longPath, contents: [9])
        writer.addFile(path: unsplittable, contents: [8, 8])
        writer.addSymbolicLink(path: "far", target: String(repeating: "t/", count: 100))
        return writer
    }

    @Test func writerReaderRoundTrip() throws {
        let entries = try Self.read(Self.sampleWriter().finish())
        #expect(entries == [
            TarEntry(path: "bpf/", kind: .directory, mode: 0o755, contents: []),
            TarEntry(path: "bpf/prog.o", kind: .regularFile, mode: 0o644, contents: Array(0..<255) + Array(0..<255) + [1, 2, 3]),
            TarEntry(path: "empty", kind: .regularFile, mode: 0o644, contents: []),
            TarEntry(path: "block", kind: .regularFile, mode: 0o755, contents: [UInt8](repeating: 7, count: 1024)),
            TarEntry(path: "link.o", kind: .symbolicLink(target: "bpf/prog.o"), mode: 0o777, contents: []),
            TarEntry(path: "hard.o", kind: .hardLink(target: "bpf/prog.o"), mode: 0o644, contents: []),
            TarEntry(path: Self.longPath, kind: .regularFile, mode: 0o644, contents: [9]),
            TarEntry(path: Self.unsplittable, kind: .regularFile, mode: 0o644, contents: [8, 8]),
            TarEntry(path: "far", kind: .symbolicLink(target: String(repeating: "t/", count: 100)), mode: 0o777, contents: []),
        ])
    }

    @Test func writerIsDeterministicUstar() {
        let first = Self.sampleWriter().finish()
        #expect(first == Self.sampleWriter().finish())
        #expect(first.count % 512 == 0)
        #expect(first.suffix(1024).allSatisfy { $0 == 0 })
        #expect(Array(first[257..<265]) == Array("ustar\u{0}00".utf8))
        #expect(Array(first[136..<148]) == TarWriter.octal(1_700_000_000, width: 12))
        #expect(Array(first[108..<124]) == Array("0000000\u{0}0000000\u{0}".utf8))
        var other = TarWriter()
        other.addFile(path: "a", contents: [1])
        #expect(Array(other.finish()[136..<148]) == Array("00000000000\u{0}".utf8))
    }

    @Test func writerUsesPrefixThenPAXForLongPaths() throws {
        var split = TarWriter()
        split.addFile(path: Self.longPath, contents: [])
        let splitBytes = split.finish()
        #expect(splitBytes[156] == UInt8(ascii: "0"))
        #expect(TarHeader.string(splitBytes[345..<500]) == String(repeating: "directory/", count: 11) + "directory")
        #expect(TarHeader.string(splitBytes[0..<100]) == "file.o")

        var pax = TarWriter()
        pax.addFile(path: Self.unsplittable, contents: [])
        let paxBytes = pax.finish()
        #expect(paxBytes[156] == UInt8(ascii: "x"))
        #expect(try Self.read(paxBytes).map(\.path) == [Self.unsplittable])
    }

    @Test func paxRecordLengthCountsItsOwnDigits() {
        for size in [1, 90, 94, 95, 96, 990, 995, 996, 9990] {
            let record = TarWriter.paxRecord(key: "path", value: [UInt8](repeating: 97, count: size))
            let length = Int(String(decoding: record.prefix(while: { $0 != 32 }), as: UTF8.self))
            #expect(length == record.count, "value of \(size) bytes")
            #expect(TarParser.paxRecords(record)?.first?.1.count == size)
        }
    }

    @Test func badChecksumRejected() {
        var archive = Self.sampleWriter().finish()
        archive[3] ^= 0x20
        let error = archiveError { () throws(ArchiveError) in try Self.read(archive) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("bad checksum") == true)
        #expect(error?.message.contains("offset 0") == true)

        var raw = RawTar()
        raw.bytes = RawTar.header(name: "a", checksum: Array("garbage!".utf8))
        #expect(archiveError { () throws(ArchiveError) in try Self.read(raw.finish()) }?.message.contains("bad checksum") == true)
        #expect(archiveError { () throws(ArchiveError) in try Self.read([UInt8](repeating: 0x41, count: 2048)) } != nil)
    }

    @Test func signedChecksumAccepted() throws {
        var block = RawTar.header(name: "\u{e9}t\u{e9}.o")
        var signed = 0
        for (index, byte) in block.enumerated() { signed += (148..<156).contains(index) ? 32 : Int(Int8(bitPattern: byte)) }
        for (index, byte) in (TarWriter.octal(signed, width: 7) + [32]).enumerated() { block[148 + index] = byte }
        #expect(try Self.read(block + [UInt8](repeating: 0, count: 1024)).map(\.path) == ["\u{e9}t\u{e9}.o"])
    }

    @Test func truncationRejectedExceptAtEntryBoundaries() throws {
        var writer = TarWriter()
        writer.addFile(path: "a.o", contents: [UInt8](repeating: 1, count: 700))  // header 0, data 512..<1536
        writer.addFile(path: "b.o", contents: [2])                                // header 1536, data 2048..<2560
        let archive = writer.finish()                                             // zero blocks 2560..<3584
        for length in 0...archive.count {
            let result = Result { () throws(ArchiveError) in try Self.read(Array(archive.prefix(length))) }
            let accepted = [0, 1536, 2560].contains(length) || length >= 3072
            switch result {
            case .success(let entries):
                #expect(accepted, "length \(length)")
                #expect(entries.count == (length < 1536 ? 0 : length < 2560 ? 1 : 2))
            case .failure(let error):
                #expect(!accepted, "length \(length): \(error)")
                #expect(error.code == .invalidArgument)
            }
        }
        let error = archiveError { () throws(ArchiveError) in try Self.read(Array(archive.prefix(1000))) }
        #expect(error?.message == "read tar entry \"a.o\": archive is truncated (700 data bytes declared, 488 left)")
    }

    @Test func numericFields() throws {
        var base256 = RawTar()
        base256.add("big", data: [1, 2, 3, 4, 5], sizeField: [0x80] + [UInt8](repeating: 0, count: 10) + [5])
        #expect(try Self.read(base256.finish()).first?.contents == [1, 2, 3, 4, 5])

        var spaced = RawTar()
        spaced.add("spaced", data: [1, 2, 3], sizeField: Array("        3 \u{0}\u{0}".utf8))
        #expect(try Self.read(spaced.finish()).first?.contents == [1, 2, 3])

        for field in [Array("00000000009\u{0}".utf8), Array("0000 0000001".utf8), [0xff] + [UInt8](repeating: 0xff, count: 11),
                      [0x80] + [UInt8](repeating: 0xff, count: 11)] {
            var raw = RawTar()
            raw.add("bad", sizeField: field)
            let error = archiveError { () throws(ArchiveError) in try Self.read(raw.finish()) }
            #expect(error?.message.contains("invalid size field") == true, "\(field)")
        }
        // A huge but valid size fails on the limit or the bounds, without allocating.
        for field in [Array("77777777777\u{0}".utf8), [0x80, 0x7f] + [UInt8](repeating: 0xff, count: 10)] {
            var raw = RawTar()
            raw.add("huge", sizeField: field)
            #expect(archiveError { () throws(ArchiveError) in try Self.read(raw.finish()) }?.code == .invalidArgument)
        }
    }

    @Test func gnuLongNameAndLink() throws {
        let name = String(repeating: "n", count: 250) + ".o"
        let target = String(repeating: "t", count: 180)
        var raw = RawTar()
        raw.add("././@LongLink", typeflag: "L", data: Array(name.utf8) + [0], magic: RawTar.gnuMagic)
        raw.add(String(name.prefix(100)), data: [42], magic: RawTar.gnuMagic, prefix: "ignored-by-gnu")
        raw.add("././@LongLink", typeflag: "K", data: Array(target.utf8) + [0], magic: RawTar.gnuMagic)
        raw.add("././@LongLink", typeflag: "L", data: Array("short-link".utf8) + [0], magic: RawTar.gnuMagic)
        raw.add("cut", typeflag: "2", linkName: String(target.prefix(100)), magic: RawTar.gnuMagic)
        raw.add("plain", magic: RawTar.gnuMagic, prefix: "ignored")
        #expect(try Self.read(raw.finish()) == [
            TarEntry(path: name, kind: .regularFile, mode: 0o644, contents: [42]),
            TarEntry(path: "short-link", kind: .symbolicLink(target: target), mode: 0o644, contents: []),
            TarEntry(path: "plain", kind: .regularFile, mode: 0o644, contents: []),
        ])
    }

    @Test func ustarPrefixJoined() throws {
        var raw = RawTar()
        raw.add("name.o", data: [1], prefix: "some/dir")
        #expect(try Self.read(raw.finish()).map(\.path) == ["some/dir/name.o"])
    }

    @Test func paxOverridesPathLinkpathAndSize() throws {
        var raw = RawTar()
        raw.addPAX([("path", "from/pax.o"), ("mtime", "1.5"), ("size", "5")])
        raw.add("header-name", data: [1, 2, 3, 4, 5], sizeField: TarWriter.octal(0, width: 12))
        raw.add("././@LongLink", typeflag: "L", data: Array("gnu-name".utf8), magic: RawTar.gnuMagic)
        raw.addPAX([("linkpath", "pax/target"), ("path", "pax-wins")])
        raw.add("l", typeflag: "2", linkName: "header/target")
        raw.addPAX([("path", "")])
        raw.add("kept", data: [7])
        #expect(try Self.read(raw.finish()) == [
            TarEntry(path: "from/pax.o", kind: .regularFile, mode: 0o644, contents: [1, 2, 3, 4, 5]),
            TarEntry(path: "pax-wins", kind: .symbolicLink(target: "pax/target"), mode: 0o644, contents: []),
            TarEntry(path: "kept", kind: .regularFile, mode: 0o644, contents: [7]),
        ])
    }

    @Test func paxGlobalHeaderIgnored() throws {
        var raw = RawTar()
        raw.addPAX([("path", "global.o")], typeflag: "g")
        raw.add("own.o", data: [1])
        #expect(try Self.read(raw.finish()).map(\.path) == ["own.o"])
    }

    @Test func malformedPAXRejected() {
        for data in ["5 a=b\n", "abc", "6 ab\n", "0 a=b\n", "5 =b\n", "6 a=b", "99999999999999999999 a=b\n", "6 a=bX"] {
            var raw = RawTar()
            raw.add("PaxHeader", typeflag: "x", data: Array(data.utf8))
            raw.add("file")
            let error = archiveError { () throws(ArchiveError) in try Self.read(raw.finish()) }
            #expect(error?.message.contains("malformed PAX records") == true, "\(data)")
        }
        var badSize = RawTar()
        badSize.addPAX([("size", "-1")])
        badSize.add("file")
        #expect(archiveError { () throws(ArchiveError) in try Self.read(badSize.finish()) }?.message.contains("invalid PAX size") == true)
    }

    @Test func extendedHeaderWithoutEntryRejected() {
        var raw = RawTar()
        raw.addPAX([("path", "dangling")])
        let error = archiveError { () throws(ArchiveError) in try Self.read(raw.finish()) }
        #expect(error?.message == "read tar archive: extended header at offset 0 is not followed by an entry")
        #expect(archiveError { () throws(ArchiveError) in try Self.read(raw.bytes) } != nil)
    }

    @Test func typeflags() throws {
        var raw = RawTar()
        for (name, flag) in [("c", "3"), ("b", "4"), ("p", "6"), ("old-dir/", "\u{0}"), ("old-file", "\u{0}"),
                             ("contig", "7"), ("vol", "V"), ("dir", "5")] as [(String, Character)] {
            raw.add(name, typeflag: flag)
        }
        #expect(try Self.read(raw.finish()).map(\.kind) == [.characterDevice, .blockDevice, .fifo, .directory, .regularFile,
                                                            .regularFile, .other(UInt8(ascii: "V")), .directory])
    }

    @Test func limits() {
        var writer = TarWriter()
        for index in 0..<3 { writer.addFile(path: "f\(index)", contents: [UInt8](repeating: 1, count: 100)) }
        let archive = writer.finish()
        let count = archiveError { () throws(ArchiveError) in
            try Self.read(archive, limits: TarLimits(maxEntries: 2, maxEntrySize: 1000, maxTotalSize: 1000))
        }
        #expect(count?.message == "read tar archive: more than 2 entries exceeds the limit")
        let size = archiveError { () throws(ArchiveError) in
            try Self.read(archive, limits: TarLimits(maxEntries: 10, maxEntrySize: 99, maxTotalSize: 1000))
        }
        #expect(size?.message == "read tar entry \"f0\": size 100 exceeds the limit of 99 bytes")
        let total = archiveError { () throws(ArchiveError) in
            try Self.read(archive, limits: TarLimits(maxEntries: 10, maxEntrySize: 100, maxTotalSize: 250))
        }
        #expect(total?.message == "read tar entry \"f2\": archive contents exceed the limit of 250 bytes")
        #expect((try? Self.read(archive, limits: TarLimits(maxEntries: 3, maxEntrySize: 100, maxTotalSize: 300)))?.count == 3)
    }

    @Test func zeroBlockFollowedByDataRejected() {
        var raw = RawTar()
        raw.add("a")
        raw.bytes += [UInt8](repeating: 0, count: 512)
        raw.add("b")
        let error = archiveError { () throws(ArchiveError) in try Self.read(raw.finish()) }
        #expect(error?.message == "read tar archive: zero block at offset 512 is followed by data")
    }

    @Test func sparseFilesUnsupported() {
        var gnu = RawTar()
        gnu.add("sparse", typeflag: "S", magic: RawTar.gnuMagic)
        #expect(archiveError { () throws(ArchiveError) in try Self.read(gnu.finish()) }?.code == .unsupported)
        var pax = RawTar()
        pax.addPAX([("GNU.sparse.major", "1"), ("GNU.sparse.minor", "0")])
        pax.add("sparse")
        #expect(archiveError { () throws(ArchiveError) in try Self.read(pax.finish()) }?.code == .unsupported)
    }
}
