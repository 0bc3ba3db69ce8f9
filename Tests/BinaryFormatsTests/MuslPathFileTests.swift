import BinaryFormats
import Testing

@Suite struct MuslPathFileTests {
    @Test func parsesSeparators() {
        #expect(MuslPathFile(text: "/lib:/usr/lib\n/opt/lib\n\n::/x\n").directories == ["/lib", "/usr/lib", "/opt/lib", "/x"])
        #expect(MuslPathFile(text: "").directories.isEmpty)
        #expect(MuslPathFile(text: "\n\n").directories.isEmpty)
        #expect(MuslPathFile(text: "/a b:/c").directories == ["/a b", "/c"])
    }

    @Test func names() {
        #expect(MuslPathFile.defaultDirectories == ["/lib", "/usr/local/lib", "/usr/lib"])
        #expect(MuslPathFile.fileName(architecture: "x86_64") == "/etc/ld-musl-x86_64.path")
        #expect(MuslPathFile.candidateFileNames(library: "libc", architecture: "x86_64")
            == ["libc.so", "ld-musl-x86_64.so.1", "libc.musl-x86_64.so.1"])
        #expect(MuslPathFile.candidateFileNames(library: "libssl", architecture: "aarch64") == ["libssl.so"])
        #expect(MuslPathFile.candidateFileNames(library: "libssl.so.3", architecture: "x86_64") == ["libssl.so.3"])
    }
}
