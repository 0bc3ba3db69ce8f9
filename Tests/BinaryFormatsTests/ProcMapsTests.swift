import BinaryFormats
import Foundation
import Testing

@Suite struct ProcMapsTests {
    static let sample = """
    55e57586f000-55e575871000 r--p 00000000 fe:00 253911                     /usr/bin/cat
    55e575871000-55e575876000 r-xp 00002000 fe:00 253911                     /usr/bin/cat
    55e59f723000-55e59f744000 rw-p 00000000 00:00 0                          [heap]
    7fb401653000-7fb401675000 rw-p 00000000 00:00 0 
    7fb401675000-7fb4016cc000 r--p 00000000 fe:00 323409                     /opt/my dir/libfoo-1.2.so
    7fb4016cc000-7fb4016cd000 r--p 00000000 fe:00 323416                     /usr/lib/libssl.so.3 (deleted)
    7fb4016cd000-7fb4016ce000 r--p 00000000 fe:00 323417                     /usr/lib/libcrypto.so.3
    7fb4016d8000-7fb4016fe000 r--p 00000000 fe:00 333151                     /usr/lib/x86_64-linux-gnu/libc.so.6
    7fb4016fe000-7fb401854000 r-xp 00026000 fe:00 333151                     /usr/lib/x86_64-linux-gnu/libc.so.6
    this line is garbage
    7ffd1c9d1000-7ffd1c9f2000 rw-p 00000000 00:00 0                          [stack]
    ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
    """

    @Test func parsesFields() throws {
        let maps = ProcMaps(text: Self.sample)
        #expect(maps.entries.count == 11)
        let first = try #require(maps.entries.first)
        #expect(first.start == 0x55e5_7586_f000)
        #expect(first.end == 0x55e5_7587_1000)
        #expect(first.permissions == "r--p")
        #expect(first.offset == 0)
        #expect(first.device == "fe:00")
        #expect(first.inode == 253_911)
        #expect(first.pathname == "/usr/bin/cat")
        #expect(maps.entries[1].offset == 0x2000)
        #expect(maps.entries[2].pathname == "[heap]")
        #expect(maps.entries[2].filePath == nil)
        #expect(maps.entries[3].pathname == "")
        #expect(maps.entries[4].pathname == "/opt/my dir/libfoo-1.2.so")
        #expect(maps.entries[5].isDeleted)
        #expect(maps.entries[5].filePath == "/usr/lib/libssl.so.3")
        #expect(maps.entries.last?.end == 0xffff_ffff_ff60_1000)
    }

    @Test func mappedFilesAreUniqueAndSkipDeleted() {
        let maps = ProcMaps(text: Self.sample)
        #expect(maps.mappedFiles() == [
            "/usr/bin/cat", "/opt/my dir/libfoo-1.2.so", "/usr/lib/libcrypto.so.3", "/usr/lib/x86_64-linux-gnu/libc.so.6",
        ])
    }

    @Test func libraryMatching() {
        let maps = ProcMaps(text: Self.sample)
        #expect(maps.mappedFile(matchingLibrary: "libc") == "/usr/lib/x86_64-linux-gnu/libc.so.6")
        #expect(maps.mappedFile(matchingLibrary: "libc.so.6") == "/usr/lib/x86_64-linux-gnu/libc.so.6")
        #expect(maps.mappedFile(matchingLibrary: "libfoo") == "/opt/my dir/libfoo-1.2.so")
        #expect(maps.mappedFile(matchingLibrary: "libcrypto") == "/usr/lib/libcrypto.so.3")
        #expect(maps.mappedFile(matchingLibrary: "libssl") == nil)
        #expect(maps.mappedFile(matchingLibrary: "cat") == "/usr/bin/cat")
        #expect(maps.mappedFile(matchingLibrary: "/usr/bin/cat") == "/usr/bin/cat")
        #expect(maps.mappedFile(matchingLibrary: "libcr") == nil)
        #expect(maps.mappedFile(matchingLibrary: "") == nil)

        #expect(ProcMaps.isLibrary(basename: "libc-2.31.so", matching: "libc"))
        #expect(ProcMaps.isLibrary(basename: "libc-2.31.so.1", matching: "libc"))
        #expect(ProcMaps.isLibrary(basename: "ld-musl-x86_64.so.1", matching: "libc"))
        #expect(ProcMaps.isLibrary(basename: "libc.musl-x86_64.so.1", matching: "libc"))
        #expect(!ProcMaps.isLibrary(basename: "ld-musl-x86_64.so.1", matching: "libm"))
        #expect(!ProcMaps.isLibrary(basename: "libc-client.so.2007", matching: "libc"))
        #expect(!ProcMaps.isLibrary(basename: "libcap.so.2", matching: "libc"))
        #expect(!ProcMaps.isLibrary(basename: "libc-2.31.sox", matching: "libc"))
        #expect(!ProcMaps.isLibrary(basename: "libc-", matching: "libc"))
    }

    @Test func muslProcess() {
        let text = """
        7f0000000000-7f0000001000 r--p 00000000 08:01 42 /lib/ld-musl-x86_64.so.1
        7f0000001000-7f0000002000 r-xp 00001000 08:01 42 /lib/ld-musl-x86_64.so.1
        """
        #expect(ProcMaps(text: text).mappedFile(matchingLibrary: "libc") == "/lib/ld-musl-x86_64.so.1")
    }

    @Test func selfMapsContainLibc() throws {
        // procfs reports size 0: read to EOF rather than trusting the size.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        let text = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let maps = ProcMaps(text: text)
        #expect(!maps.entries.isEmpty)
        let libc = try #require(maps.mappedFile(matchingLibrary: "libc"))
        #expect(libc.hasPrefix("/"))
        #expect(libc.hasSuffix("/libc.so.6"))
    }

    @Test func garbageNeverCrashes() {
        var rng = SplitMix64(seed: 3)
        let alphabet = Array("0123456789abcdef- :/\n[]()rwxp".unicodeScalars)
        for _ in 0..<300 {
            let length = Int(rng.next() % 200)
            var text = ""
            for _ in 0..<length { text.unicodeScalars.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            let maps = ProcMaps(text: text)
            _ = maps.mappedFiles()
            _ = maps.mappedFile(matchingLibrary: "libc")
        }
    }
}
