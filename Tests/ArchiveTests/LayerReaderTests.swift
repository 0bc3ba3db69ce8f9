@testable import Archive
import Foundation
import Testing

@Suite struct LayerReaderTests {
    /// The tar archive `build` writes.
    static func layer(_ build: (inout TarWriter) -> Void) -> [UInt8] {
        var writer = TarWriter()
        build(&writer)
        return writer.finish()
    }

    /// What reading `blob` throws, or nil when it is accepted.
    static func refusal(_ blob: [UInt8], limits: LayerLimits = .default) -> ArchiveError? {
        archiveError { () throws(ArchiveError) in try LayerReader.files(in: blob, limits: limits) }
    }

    static func refusal(_ build: (inout TarWriter) -> Void) -> ArchiveError? { refusal(layer(build)) }

    @Test func plainAndGzipLayersNormalised() throws {
        let tar = Self.layer { writer in
            writer.addDirectory(path: "./")
            writer.addDirectory(path: "./bpf")
            writer.addFile(path: "./bpf/a.o", contents: [1])
            writer.addFile(path: "/b.o", contents: [2])
            writer.addFile(path: "x/../c.o", contents: [3])
            writer.addFile(path: "d//./e.o", contents: [4])
        }
        let expected: [String: [UInt8]] = ["bpf/a.o": [1], "b.o": [2], "c.o": [3], "d/e.o": [4]]
        #expect(try LayerReader.files(in: tar) == expected)
        #expect(try LayerReader.files(in: Gzip.compress(tar)) == expected)
        #expect(try LayerReader.files(in: Self.layer { _ in }) == [:])
    }

    @Test(arguments: ["../x", "a/../../x", "/../x", "./../x", "a/b/../../../x", ".."])
    func traversalRefused(path: String) {
        let error = Self.refusal { $0.addFile(path: path, contents: [1]) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "layer entry \(path.debugDescription): path escapes the layer")
    }

    @Test func extendedHeaderTraversalRefused() {
        var pax = RawTar()
        pax.addPAX([("path", "../../etc/passwd")])
        pax.add("innocent.o", data: [1])
        #expect(Self.refusal(Gzip.compress(pax.finish()))?.message == "layer entry \"../../etc/passwd\": path escapes the layer")

        var gnu = RawTar()
        gnu.add("././@LongLink", typeflag: "L", data: Array("bpf/../../evil".utf8), magic: RawTar.gnuMagic)
        gnu.add("innocent.o", data: [1], magic: RawTar.gnuMagic)
        #expect(Self.refusal(gnu.finish())?.message == "layer entry \"bpf/../../evil\": path escapes the layer")

        var whiteout = RawTar()
        whiteout.add("../.wh.x")
        #expect(Self.refusal(whiteout.finish()) != nil)
    }

    @Test(arguments: [("l", "../../etc/passwd"), ("l", "/etc/passwd"), ("a/l", "../../x"), ("l", ".."),
                      ("a/b/l", "../../../x"), ("l", "a/../../x"), ("l", "//etc")])
    func escapingSymlinkRefused(path: String, target: String) {
        let error = Self.refusal { writer in
            writer.addFile(path: "x", contents: [1])
            writer.addSymbolicLink(path: path, target: target)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "layer entry \(path.debugDescription): symbolic link target \(target.debugDescription) escapes the layer")
    }

    @Test func symlinkEscapingThroughLinkedDirectoryRefused() {
        // Each link stays inside on its own; followed together, d/d is the root and ../.. leaves it.
        let error = Self.refusal { writer in
            writer.addFile(path: "x", contents: [1])
            writer.addSymbolicLink(path: "d", target: ".")
            writer.addSymbolicLink(path: "d/d/l", target: "../../x")
        }
        #expect(error?.message == "layer entry \"d/d/l\": symbolic link target \"../../x\" escapes the layer")
    }

    @Test func inLayerLinksResolved() throws {
        let prog: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]
        let files = try LayerReader.files(in: Self.layer { writer in
            writer.addSymbolicLink(path: "later.o", target: "z.o")
            writer.addFile(path: "bpf/prog.o", contents: prog)
            writer.addSymbolicLink(path: "prog.o", target: "bpf/prog.o")
            writer.addSymbolicLink(path: "bpf/alias.o", target: "prog.o")
            writer.addSymbolicLink(path: "chain.o", target: "./prog.o")
            writer.addSymbolicLink(path: "up.o", target: "bpf/../bpf/./prog.o")
            writer.addHardLink(path: "./copy.o", target: "./bpf/prog.o")
            writer.addHardLink(path: "copy2.o", target: "/bpf/prog.o")
            writer.addSymbolicLink(path: "lib", target: "bpf")
            writer.addSymbolicLink(path: "via.o", target: "lib/prog.o")
            writer.addFile(path: "z.o", contents: [9])
        })
        #expect(files == ["bpf/prog.o": prog, "prog.o": prog, "bpf/alias.o": prog, "chain.o": prog, "up.o": prog,
                          "copy.o": prog, "copy2.o": prog, "via.o": prog, "z.o": [9], "later.o": [9]])
    }

    @Test func danglingAndDirectoryLinksLeftOut() throws {
        let files = try LayerReader.files(in: Self.layer { writer in
            writer.addFile(path: "bpf/prog.o", contents: [1])
            writer.addSymbolicLink(path: "gone.o", target: "missing.o")
            writer.addSymbolicLink(path: "dir", target: "bpf")
            writer.addSymbolicLink(path: "root", target: ".")
            writer.addSymbolicLink(path: "notdir.o", target: "bpf/prog.o/x")
            writer.addSymbolicLink(path: "nowhere.o", target: "missing/../bpf/prog.o")
        })
        #expect(files == ["bpf/prog.o": [1]])
    }

    @Test func symlinkLoopsRefused() {
        let pair = Self.refusal { writer in
            writer.addSymbolicLink(path: "a", target: "b")
            writer.addSymbolicLink(path: "b", target: "a")
        }
        #expect(pair?.message == "layer entry \"a\": symbolic link target \"b\" loops or follows more than 40 links")
        #expect(Self.refusal { $0.addSymbolicLink(path: "s", target: "s") } != nil)
        #expect(Self.refusal { $0.addSymbolicLink(path: "d/s", target: "../d/s/x") } != nil)

        // A chain of 40 links resolves; 41 do not.
        func chain(_ length: Int) -> [UInt8] {
            Self.layer { writer in
                writer.addFile(path: "end", contents: [1])
                for index in 0..<length { writer.addSymbolicLink(path: "l\(index)", target: index == length - 1 ? "end" : "l\(index + 1)") }
            }
        }
        #expect((try? LayerReader.files(in: chain(40)))?["l0"] == [1])
        #expect(Self.refusal(chain(41))?.message.contains("more than 40 links") == true)
    }

    @Test func devicesAndFifosRefused() {
        for (flag, message) in [("3", "device files are not allowed"), ("4", "device files are not allowed"),
                                ("6", "fifos are not allowed")] as [(Character, String)] {
            var raw = RawTar()
            raw.add("bpf/prog.o", data: [1])
            raw.add("dev/node", typeflag: flag)
            #expect(Self.refusal(raw.finish())?.message == "layer entry \"dev/node\": \(message)")
        }
    }

    @Test func hardLinkTargetsChecked() {
        let notEarlier = "is not an earlier regular file in the layer"
        let missing = Self.refusal { $0.addHardLink(path: "h", target: "missing.o") }
        #expect(missing?.message == "layer entry \"h\": hard link target \"missing.o\" \(notEarlier)")
        let later = Self.refusal { writer in
            writer.addHardLink(path: "h", target: "f.o")
            writer.addFile(path: "f.o", contents: [1])
        }
        #expect(later?.message.hasSuffix(notEarlier) == true)
        let directory = Self.refusal { writer in
            writer.addDirectory(path: "d")
            writer.addHardLink(path: "h", target: "d")
        }
        #expect(directory?.message.hasSuffix(notEarlier) == true)
        let symlink = Self.refusal { writer in
            writer.addFile(path: "f.o", contents: [1])
            writer.addSymbolicLink(path: "s", target: "f.o")
            writer.addHardLink(path: "h", target: "s")
        }
        #expect(symlink?.message.hasSuffix(notEarlier) == true)
        let escaping = Self.refusal { $0.addHardLink(path: "h", target: "../etc/passwd") }
        #expect(escaping?.message == "layer entry \"h\": hard link target \"../etc/passwd\" escapes the layer")
    }

    @Test func whiteoutsSkipped() throws {
        let files = try LayerReader.files(in: Self.layer { writer in
            writer.addFile(path: ".wh.old.o", contents: [])
            writer.addFile(path: "bpf/.wh..wh..opq", contents: [])
            writer.addFile(path: "bpf/.wh.gone.o", contents: [])
            writer.addFile(path: "bpf/kept.o", contents: [1])
        })
        #expect(files == ["bpf/kept.o": [1]])
    }

    @Test func laterDuplicatesOverride() throws {
        let files = try LayerReader.files(in: Self.layer { writer in
            writer.addFile(path: "a.o", contents: [1])
            writer.addFile(path: "./a.o", contents: [2])
            writer.addFile(path: "b.o", contents: [3])
            writer.addSymbolicLink(path: "b.o", target: "a.o")
            writer.addSymbolicLink(path: "c.o", target: "a.o")
            writer.addFile(path: "c.o", contents: [4])
            writer.addFile(path: "d.o", contents: [5])
            writer.addDirectory(path: "d.o")
        })
        #expect(files == ["a.o": [2], "b.o": [2], "c.o": [4]])
    }

    @Test func badNamesRefused() {
        var pax = RawTar()
        pax.addPAX([("path", "a\u{0}b.o")])
        pax.add("a", data: [1])
        #expect(Self.refusal(pax.finish())?.message == "layer entry \"a\\0b.o\": name contains a NUL byte")

        var link = RawTar()
        link.addPAX([("linkpath", "x\u{0}/../../../etc")])
        link.add("l", typeflag: "2")
        #expect(Self.refusal(link.finish())?.message == "layer entry \"l\": symbolic link target contains a NUL byte")

        var gnu = RawTar()
        gnu.add("././@LongLink", typeflag: "L", data: Array("x.o".utf8) + [0, 0x41] + [0], magic: RawTar.gnuMagic)
        gnu.add("x", data: [1], magic: RawTar.gnuMagic)
        #expect(Self.refusal(gnu.finish())?.message.hasSuffix("name contains a NUL byte") == true)

        let long = String(repeating: "d/", count: 2100) + "f.o"
        let error = Self.refusal { $0.addFile(path: long, contents: [1]) }
        #expect(error?.message.hasSuffix("name is longer than 4096 bytes") == true)
        #expect(error.map { $0.message.utf8.count < 400 } == true)

        #expect(Self.refusal { $0.addFile(path: "./", contents: [1]) }?.message == "layer entry \"./\": a file cannot be the layer root")
        #expect(Self.refusal { $0.addSymbolicLink(path: "l", target: "") }?.message == "layer entry \"l\": symbolic link has an empty target")
    }

    @Test func limits() {
        let tar = Self.layer { writer in
            for index in 0..<3 { writer.addFile(path: "f\(index).o", contents: [UInt8](repeating: 1, count: 1000)) }
        }
        let gzip = Gzip.compress(tar)
        let roomy = LayerLimits(compressedBytes: 1 << 20, uncompressedBytes: 1 << 20, entries: 3)
        #expect((try? LayerReader.files(in: gzip, limits: roomy))?.count == 3)
        #expect((try? LayerReader.files(in: tar, limits: roomy))?.count == 3)

        let entries = LayerLimits(compressedBytes: 1 << 20, uncompressedBytes: 1 << 20, entries: 2)
        #expect(Self.refusal(gzip, limits: entries)?.message == "read tar archive: more than 2 entries exceeds the limit")
        let compressed = LayerLimits(compressedBytes: gzip.count - 1, uncompressedBytes: 1 << 20, entries: 3)
        #expect(Self.refusal(gzip, limits: compressed)?.message
                == "read layer: blob of \(gzip.count) bytes exceeds the limit of \(gzip.count - 1) bytes")
        let uncompressed = LayerLimits(compressedBytes: 1 << 20, uncompressedBytes: tar.count - 1, entries: 3)
        #expect(Self.refusal(gzip, limits: uncompressed)?.message
                == "decompress gzip stream: decompressed size exceeds the limit of \(tar.count - 1) bytes")
        #expect(Self.refusal(tar, limits: uncompressed)?.message
                == "read layer: tar stream of \(tar.count) bytes exceeds the limit of \(tar.count - 1) bytes")
    }

    @Test func otherCompressionsRefused() {
        for (magic, name) in [([0x28, 0xb5, 0x2f, 0xfd], "zstd"), ([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz"),
                              (Array("BZh9".utf8), "bzip2")] as [([UInt8], String)] {
            let error = Self.refusal(magic + [UInt8](repeating: 0, count: 600))
            #expect(error?.code == .unsupported)
            #expect(error?.message == "read layer: \(name) layers are not supported")
        }
        #expect(Self.refusal(Array("not a tar archive".utf8))?.code == .invalidArgument)
    }
}

/// SplitMix64: a tiny deterministic generator, so that fuzzing is reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Bounded, deterministic mutation fuzzing: reading a mutated layer must
/// return or throw, never crash or hang.
/// Set `ARCHIVE_FUZZ_SCALE=20` to run 20 times the default iterations locally.
@Suite struct LayerFuzzTests {
    static let scale = max(1, Int(ProcessInfo.processInfo.environment["ARCHIVE_FUZZ_SCALE"] ?? "") ?? 1)

    /// A layer holding every kind of header the reader understands.
    static let seed: [UInt8] = {
        var raw = RawTar()
        raw.add("bpf/", typeflag: "5")
        raw.add("bpf/prog.o", data: Array(0..<200))
        raw.addPAX([("path", "bpf/pax.o"), ("size", "3")])
        raw.add("x", data: [1, 2, 3])
        raw.add("././@LongLink", typeflag: "L", data: Array((String(repeating: "long/", count: 30) + "n.o").utf8), magic: RawTar.gnuMagic)
        raw.add("short", data: [4], magic: RawTar.gnuMagic)
        raw.add("link.o", typeflag: "2", linkName: "bpf/prog.o")
        raw.add("hard.o", typeflag: "1", linkName: "bpf/prog.o")
        raw.add(".wh.old", data: [])
        return raw.finish()
    }()

    /// Where the seed's header blocks start.
    static let headers: [Int] = {
        var offsets: [Int] = []
        var offset = 0
        while !seed[offset..<offset + 512].allSatisfy({ $0 == 0 }) {
            offsets.append(offset)
            let size = TarHeader.number(seed[(offset + 124)..<(offset + 136)]) ?? 0
            offset += 512 + (size + 511) / 512 * 512
        }
        return offsets
    }()

    static let names = ["../x", "a/../../b", "/", ".", "", "/etc/passwd", "..", "d/.wh.x", "a//b/./c", "bpf/prog.o"]
    static let flags = Array("0125673xgLKSV".utf8) + [0]

    static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !bytes.isEmpty else { break }
            let header = headers.randomElement(using: &rng)!
            func put(_ value: [UInt8], at offset: Int) {
                for (index, byte) in value.enumerated() where offset + index < bytes.count { bytes[offset + index] = byte }
            }
            switch rng.next() % 8 {
            case 0:
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 1:
                put([UInt8.random(in: 0...255, using: &rng)], at: header + Int.random(in: 0..<512, using: &rng))
            case 2:
                let field = [100, 124, 124, 148].randomElement(using: &rng)!
                let width = field == 124 ? 12 : 8
                let value = rng.next() % 2 == 0
                    ? TarWriter.octal(Int.random(in: 0...(1 << 20), using: &rng), width: width)
                    : (0..<width).map { _ in UInt8.random(in: 0...255, using: &rng) }
                put(value, at: header + field)
            case 3:
                put([flags.randomElement(using: &rng)!], at: header + 156)
            case 4:
                let field = rng.next() % 2 == 0 ? 0 : 157
                put(Array(names.randomElement(using: &rng)!.utf8) + [0], at: header + field)
            case 5:
                bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
            case 6:
                let at = min(headers.randomElement(using: &rng)!, bytes.count)
                if rng.next() % 2 == 0 {
                    bytes.insert(contentsOf: [UInt8](repeating: UInt8.random(in: 0...255, using: &rng), count: 512), at: at)
                } else {
                    bytes.removeSubrange(at..<min(at + 512, bytes.count))
                }
            default:
                // A PAX record's digits or key, or a GNU long name's bytes.
                let data = headers[Int.random(in: 2...4, using: &rng)] + 512
                put([Array("0123456789 =/.\n".utf8).randomElement(using: &rng)!], at: data + Int.random(in: 0..<24, using: &rng))
            }
        }
        // Most of the time, make the checksums right again so the mutation reaches the parser.
        if rng.next() % 4 != 0 {
            for header in headers where header + 512 <= bytes.count {
                let block = Array(bytes[header..<header + 512])
                for (index, byte) in RawTar.checksumField(block).enumerated() { bytes[header + 148 + index] = byte }
            }
        }
        return bytes
    }

    static let limits = LayerLimits(compressedBytes: 1 << 20, uncompressedBytes: 1 << 20, entries: 64)

    @Test func seedIsValid() throws {
        #expect(try LayerReader.files(in: Self.seed).count == 5 && Self.headers.count == 9)
    }

    /// Whether `path` is a clean relative path: no empty, `.` or `..` components and no NUL.
    static func isClean(_ path: String) -> Bool {
        !path.utf8.contains(0) && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !["", ".", ".."].contains($0) }
    }

    @Test func tarMutations() {
        var rng = SplitMix64(seed: 0x7a12_5eed)
        var outcomes = (accepted: 0, refused: 0)
        let elapsed = ContinuousClock().measure {
            for _ in 0..<(3000 * Self.scale) {
                let bytes = Self.mutate(Self.seed, using: &rng)
                _ = try? TarReader.entries(in: bytes, limits: TarLimits(maxEntries: 64, maxEntrySize: 1 << 20, maxTotalSize: 1 << 20))
                guard let files = try? LayerReader.files(in: bytes, limits: Self.limits) else { outcomes.refused += 1; continue }
                outcomes.accepted += 1
                for path in files.keys where !Self.isClean(path) { Issue.record("unclean path \(path.debugDescription) accepted") }
            }
        }
        #expect(outcomes.accepted > 100 && outcomes.refused > 100, "\(outcomes)")
        #expect(elapsed < .seconds(60 * Self.scale))
    }

    @Test func gzipMutations() {
        let clock = ContinuousClock()
        var rng = SplitMix64(seed: 0x91b)
        let compressed = Gzip.compress(Self.seed)
        var accepted = 0
        let elapsed = clock.measure {
            for iteration in 0..<(2000 * Self.scale) {
                var bytes: [UInt8]
                if iteration % 3 == 0 {
                    bytes = Gzip.compress(Self.mutate(Self.seed, using: &rng), level: 1)
                } else {
                    bytes = compressed
                    for _ in 0..<Int.random(in: 1...3, using: &rng) {
                        switch rng.next() % 3 {
                        case 0: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                        case 1: bytes.removeLast(Int.random(in: 0..<(bytes.count - 2), using: &rng))
                        default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 2...bytes.count, using: &rng))
                        }
                    }
                }
                _ = try? Gzip.decompress(bytes, limit: 1 << 16)
                if (try? LayerReader.files(in: bytes, limits: Self.limits)) != nil { accepted += 1 }
            }
        }
        #expect(accepted > 50)
        #expect(elapsed < .seconds(60 * Self.scale))
    }
}
