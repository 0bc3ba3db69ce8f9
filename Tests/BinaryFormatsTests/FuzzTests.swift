import BinaryFormats
import Foundation
import Testing

/// Bounded, deterministic mutation fuzzing: parsing must return or throw, never crash or hang.
/// Set `BINFMT_FUZZ_SCALE=20` to run 20 times the default iterations locally.
@Suite struct FuzzTests {
    static let scale = max(1, Int(ProcessInfo.processInfo.environment["BINFMT_FUZZ_SCALE"] ?? "") ?? 1)

    /// Mutates `input` with 1...4 random edits, biased towards the `hot` byte ranges.
    static func mutate(_ input: [UInt8], hot: [Range<Int>], countFields: [Int], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        func position() -> Int {
            guard !bytes.isEmpty else { return 0 }
            let usable = hot.filter { $0.lowerBound < bytes.count }
            if !usable.isEmpty && rng.next() % 4 != 0 {
                let range = usable[Int(rng.next() % UInt64(usable.count))]
                let upper = min(range.upperBound, bytes.count)
                return range.lowerBound + Int(rng.next() % UInt64(max(upper - range.lowerBound, 1)))
            }
            return Int(rng.next() % UInt64(bytes.count))
        }
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            switch rng.next() % 6 {
            case 0, 1:
                if !bytes.isEmpty {
                    let at = position()
                    bytes[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                }
            case 2:
                let run = [UInt8](repeating: 0xff, count: 1 + Int(rng.next() % 64))
                bytes.insert(contentsOf: run, at: min(position(), bytes.count))
            case 3:
                bytes.removeLast(Int(rng.next() % UInt64(bytes.count + 1)))
            case 4:
                let at = countFields.isEmpty || rng.next() % 2 == 0 ? position() & ~3 : countFields[Int(rng.next() % UInt64(countFields.count))]
                for index in at..<max(at, min(at + 4, bytes.count)) { bytes[index] = 0xff }
            default:
                let at = position() & ~3
                let value = UInt8(truncatingIfNeeded: rng.next())
                for index in at..<max(at, min(at + 8, bytes.count)) { bytes[index] = index == at ? value : 0 }
            }
        }
        return bytes
    }

    static func exerciseCache(_ bytes: [UInt8]) {
        guard let cache = try? LdSoCache(bytes: bytes) else { return }
        _ = cache.lookup(library: "libc")
        _ = cache.lookup(library: "libssl.so.3", architecture: nil)
        _ = cache.lookup(library: "libbpfmantest", architecture: .i386)
    }

    /// Returns how many lookups found a symbol.
    static func exerciseELF(_ bytes: [UInt8]) -> Int {
        guard let elf = try? ELFFile(bytes: bytes) else { return 0 }
        var found = 0
        for name in ["malloc", "main", "free", "no_such_symbol"] {
            if (try? elf.symbolFileOffset(named: name)) != nil { found += 1 }
        }
        return found
    }

    @Test func ldSoCache() {
        let start = now()
        var rng = SplitMix64(seed: 0x5eed_1d50)
        // Besides ldconfig's layouts, the new format as glibc still accepts it:
        // no string table size, no recorded byte order, plain FLAG_ELF entries.
        let lenient = LdSoCacheBuilder.new(LdSoCacheTests.items + [.init(key: "libbpfmantest.so.1", path: "/opt/libbpfmantest.so.1", flags: 1)],
                                           bigEndian: LdSoCacheTests.hostIsBigEndian, endianFlag: 0, lenStrings: 0)
        var inputs: [[UInt8]] = [LdSoCacheBuilder.old(LdSoCacheTests.items), LdSoCacheBuilder.combined(LdSoCacheTests.items), lenient]
        if let real = readBytes("/etc/ld.so.cache") { inputs.insert(real, at: 0) }
        var parsed = 0
        for iteration in 0..<(3000 * Self.scale) {
            // Mostly the real cache, sometimes the hand-built old, combined and lenient ones.
            let input = iteration % 5 == 4 ? inputs[(iteration / 5) % inputs.count] : inputs[0]
            let hot = [0..<64, 64..<min(input.count, 13000), max(0, input.count - 512)..<input.count]
            let bytes = Self.mutate(input, hot: hot, countFields: [12, 20, 24, 28, 32], using: &rng)
            if (try? LdSoCache(bytes: bytes)) != nil { parsed += 1 }
            Self.exerciseCache(bytes)
        }
        #expect(now() - start < 20 * Double(Self.scale))
        #expect(parsed > 0)
    }

    @Test func elf() {
        let start = now()
        var rng = SplitMix64(seed: 0xe1f)
        var inputs: [[UInt8]] = []
        for path in ["/bin/true", "/lib/x86_64-linux-gnu/libc.so.6"] {
            if let bytes = readBytes(path) { inputs.append(Array(bytes.prefix(2 << 20))) }
        }
        var builder = ELFBuilder(is64: false, littleEndian: false)
        builder.tables = ELFFileTests.sampleTables(base: builder.textAddress)
        inputs.append(builder.build())
        var found = 0
        for iteration in 0..<(500 * Self.scale) {
            let input = inputs[iteration % inputs.count]
            // Section header table offset (64-bit little-endian files only; otherwise just the tail).
            var shoff = max(0, input.count - 4096)
            if input.count >= 64, input[4] == 2, input[5] == 1 {
                var value = 0
                for index in 0..<8 { value |= Int(input[40 + index]) << (8 * index) }
                if value >= 0 && value < input.count { shoff = value }
            }
            let hot = [0..<4096, 0..<min(input.count, 0x30000), shoff..<input.count]
            let bytes = Self.mutate(input, hot: hot, countFields: [44, 56, 60, 48, 58, 32, 40], using: &rng)
            found += Self.exerciseELF(bytes)
        }
        #expect(now() - start < 20 * Double(Self.scale))
        #expect(found > 0)
    }
}
