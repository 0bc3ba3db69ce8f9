import Archive
import Testing

@Suite struct GzipTests {
    /// Compressible but not trivial bytes.
    static func sample(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { index in index % 7 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : UInt8(index % 31) }
    }

    @Test(arguments: [0, 1, 100, 65_536, 65_537, 1 << 20])
    func roundTrip(size: Int) throws {
        let data = Self.sample(size)
        let compressed = Gzip.compress(data)
        #expect(Gzip.isGzip(compressed))
        #expect(try Gzip.decompress(compressed, limit: size) == data)
        #expect(try Gzip.decompress(Gzip.compress(data, level: 1), limit: size) == data)
        #expect(try Gzip.decompress(Gzip.compress(data, level: 0), limit: size) == data)
    }

    @Test func compressionIsDeterministic() {
        let data = Self.sample(200_000)
        let first = Gzip.compress(data)
        #expect(first == Gzip.compress(data))
        // Magic, deflate, no flags, mtime 0, then the XFL and Unix OS bytes.
        #expect(Array(first.prefix(10)) == [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3])
        #expect(first.count < data.count)
        #expect(Gzip.compress([]) == Gzip.compress([]))
    }

    @Test func isGzip() {
        #expect(Gzip.isGzip([0x1f, 0x8b]))
        #expect(!Gzip.isGzip([0x1f]))
        #expect(!Gzip.isGzip([]))
        #expect(!Gzip.isGzip([0x8b, 0x1f, 0, 0]))
    }

    @Test func bombRejectedQuicklyWithTheLimit() {
        let bomb = Gzip.compress([UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 100_000)
        let clock = ContinuousClock()
        var error: ArchiveError?
        let elapsed = clock.measure {
            error = archiveError { () throws(ArchiveError) in try Gzip.decompress(bomb, limit: 8 << 20) }
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "decompress gzip stream: decompressed size exceeds the limit of 8388608 bytes")
        #expect(elapsed < .seconds(5))
    }

    @Test func limitIsInclusive() throws {
        let data = Self.sample(100_000)
        let compressed = Gzip.compress(data)
        #expect(try Gzip.decompress(compressed, limit: data.count) == data)
        #expect(archiveError { () throws(ArchiveError) in try Gzip.decompress(compressed, limit: data.count - 1) } != nil)
        #expect(archiveError { () throws(ArchiveError) in try Gzip.decompress(compressed, limit: 0) } != nil)
        #expect(try Gzip.decompress(Gzip.compress([]), limit: 0) == [])
    }

    @Test func everyTruncationRejected() {
        let compressed = Gzip.compress(Self.sample(5000))
        for length in 0..<compressed.count {
            let error = archiveError { () throws(ArchiveError) in try Gzip.decompress(Array(compressed.prefix(length)), limit: 1 << 20) }
            #expect(error?.code == .invalidArgument, "length \(length)")
        }
        let error = archiveError { () throws(ArchiveError) in
            try Gzip.decompress(Array(compressed.dropLast(4)), limit: 1 << 20)
        }
        #expect(error?.message == "decompress gzip stream: input is truncated")
    }

    @Test func corruptionRejected() {
        let data = Self.sample(5000)
        let compressed = Gzip.compress(data)
        // The CRC-32 and size trailer, then a deflate block type bit.
        for index in [compressed.count - 1, compressed.count - 6, 10] {
            var bad = compressed
            bad[index] ^= 0x06
            let error = archiveError { () throws(ArchiveError) in try Gzip.decompress(bad, limit: 1 << 20) }
            #expect(error?.code == .invalidArgument, "byte \(index)")
            if index != 10 {
                #expect(error?.message.hasPrefix("decompress gzip stream: corrupt input: incorrect") == true, "byte \(index)")
            }
        }
        let notGzip = archiveError { () throws(ArchiveError) in try Gzip.decompress(Array("plain text".utf8), limit: 100) }
        #expect(notGzip?.message == "decompress gzip stream: input does not start with the gzip magic bytes")
    }

    @Test func concatenatedMembers() throws {
        let first = Self.sample(3000, seed: 1)
        let second = Self.sample(70_000, seed: 2)
        let joined = Gzip.compress(first) + Gzip.compress([]) + Gzip.compress(second)
        #expect(try Gzip.decompress(joined, limit: 73_000) == first + second)
        #expect(archiveError { () throws(ArchiveError) in try Gzip.decompress(joined, limit: 72_999) } != nil)
    }

    @Test func trailingGarbageRejected() {
        let compressed = Gzip.compress(Self.sample(100))
        for tail in [[0], [0, 0, 0, 0], [0x1f], Array("junk".utf8)] as [[UInt8]] {
            let error = archiveError { () throws(ArchiveError) in try Gzip.decompress(compressed + tail, limit: 1000) }
            #expect(error?.code == .invalidArgument, "\(tail)")
        }
        let error = archiveError { () throws(ArchiveError) in try Gzip.decompress(compressed + [1, 2, 3], limit: 1000) }
        #expect(error?.message == "decompress gzip stream: 3 bytes of trailing data after the last member")
    }
}
