import Diagnostics
import Foundation
import Targets
import Testing
import TestSupport

/// Target resolution without root: absolute paths, the process's mapped
/// files, an ld.so.cache written by glibc's own ldconfig, musl's path file,
/// and symbol offsets checked against binutils' readelf.
@Suite struct TargetResolverTests {
    /// The Swift runtime library this test process runs on, as its maps show it.
    static let swiftCore: String? = (try? TargetResolver.processMaps(pid: getpid()))?
        .split(separator: "\n").compactMap { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) }
        .first { $0.hasSuffix("/libswiftCore.so") }

    /// The path `ldconfig -p` gives for `soname` on this machine's architecture.
    static func ldconfigPath(_ soname: String) -> String? {
        Command.run("/sbin/ldconfig", ["-p"]).stdout.split(separator: "\n")
            .first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(soname) (libc6,x86-64)") }
            .flatMap { $0.components(separatedBy: " => ").last }
    }

    /// A fresh directory to serve as the resolver's root; removed by the caller.
    static func temporaryRoot() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bpfman-targets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        return root
    }

    @Test("an absolute path is taken as given; without a function the offset is the probe location")
    func absolutePath() throws {
        #expect(try TargetResolver().resolvePath("/bin/true") == "/bin/true")
        #expect(try TargetResolver().resolve(target: "/bin/true", functionName: nil, offset: 0x2000) == UprobeTarget(path: "/bin/true", offset: 0x2000))
        #expect(try TargetResolver().resolve(target: "/bin/true", functionName: "", offset: 0x10) == UprobeTarget(path: "/bin/true", offset: 0x10))
    }

    @Test("refusals name the target and the reason", arguments: [
        ("", "malloc", 0, ErrorCode.invalidArgument, "resolve target: empty target"),
        ("lib/libc.so.6", "malloc", 0, .invalidArgument, "resolve target \"lib/libc.so.6\": relative paths are ambiguous (pass an absolute path)"),
        ("/bin/true", nil, 0, .invalidArgument, "attach uprobe to \"/bin/true\": requires a function name or a non-zero offset (offset 0 is the ELF header)"),
        ("/dev/null", nil, 8, .invalidArgument, "uprobe target /dev/null is a character device, not a regular file"),
        ("/bin/true", "no_such_symbol_xyz", 0, .notFound, "attach uprobe to no_such_symbol_xyz in /bin/true: symbol no_such_symbol_xyz: not found"),
        ("/nonexistent/x.so", "f", 0, .notFound, "open executable /nonexistent/x.so: parse ELF file: open /nonexistent/x.so: no such file or directory"),
        ("/dev/null", "f", 0, .invalidArgument, "open executable /dev/null: /dev/null is a character device, not a regular file"),
    ] as [(String, String?, UInt64, ErrorCode, String)])
    func refusals(target: String, functionName: String?, offset: UInt64, code: ErrorCode, message: String) {
        let error = #expect(throws: TargetError.self) { try TargetResolver().resolve(target: target, functionName: functionName, offset: offset) }
        #expect(error?.code == code)
        #expect(error?.message == message)
    }

    @Test("a library name is looked up in an ld.so.cache that glibc's ldconfig wrote, then not found with every lookup named")
    func ldconfigCache() throws {
        let swiftCore = try #require(Self.swiftCore, "libswiftCore.so is not mapped")
        let root = try Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/lib", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: swiftCore, toPath: root + "/lib/libswiftCore.so")
        try "\(root)/lib\n".write(toFile: root + "/etc/ld.so.conf", atomically: true, encoding: .utf8)
        let ldconfig = Command.run("/sbin/ldconfig", ["-X", "-f", root + "/etc/ld.so.conf", "-C", root + "/etc/ld.so.cache"])
        try #require(ldconfig.status == 0, "\(ldconfig.stderr)")

        let resolver = TargetResolver(root: root)
        #expect(try resolver.resolvePath("libswiftCore") == root + "/lib/libswiftCore.so")
        #expect(try resolver.resolvePath("libswiftCore.so") == root + "/lib/libswiftCore.so")
        let missing = #expect(throws: TargetError.self) { try resolver.resolvePath("libbpfman_nosuch") }
        #expect(missing?.code == .notFound)
        #expect(missing?.message == "resolve target \"libbpfman_nosuch\": not found in /etc/ld.so.cache (pass an absolute path); "
            + "tried /etc/ld.so.cache, musl paths [/lib /usr/local/lib /usr/lib]")
    }

    @Test("without an ld.so.cache, musl's path file gives the directories, and the message says the cache is missing")
    func muslPathFile() throws {
        let root = try Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/opt/musl/lib", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: root + "/opt/musl/lib/libfoo.so")
        try "/opt/musl/lib\n".write(toFile: root + "/etc/ld-musl-x86_64.path", atomically: true, encoding: .utf8)
        let resolver = TargetResolver(root: root)
        #expect(try resolver.resolvePath("libfoo") == "/opt/musl/lib/libfoo.so")
        let missing = #expect(throws: TargetError.self) { try resolver.resolvePath("libbar") }
        #expect(missing?.message == "resolve target \"libbar\": not found in /etc/ld.so.cache (no /etc/ld.so.cache) (pass an absolute path); "
            + "tried /etc/ld.so.cache, musl paths [/opt/musl/lib]")
    }

    @Test("the process's mapped files come before the cache")
    func processMapsFirst() throws {
        let swiftCore = try #require(Self.swiftCore, "libswiftCore.so is not mapped")
        let maps = try TargetResolver.processMaps(pid: getpid())
        let resolver = TargetResolver(processMaps: (pid: getpid(), text: maps), root: "/nonexistent")
        #expect(try resolver.resolvePath("libswiftCore") == swiftCore)
    }

    @Test("the maps of a process that does not exist are not found")
    func missingProcess() {
        let error = #expect(throws: TargetError.self) { try TargetResolver.processMaps(pid: Int32.max) }
        #expect(error?.code == .notFound)
        #expect(error?.message == "attach uprobe: pid 2147483647 does not exist")
    }

    @Test("libc resolves through the host's ld.so.cache to the file ldconfig -p names, at readelf's offsets",
          arguments: ["malloc", "free", "getpid"])
    func hostLibc(symbol: String) throws {
        let path = try #require(Self.ldconfigPath("libc.so.6"))
        let expected = try #require(Readelf.fileOffset(of: symbol, in: path), "readelf found no \(symbol) in \(path)")
        #expect(try TargetResolver().resolve(target: "libc", functionName: symbol, offset: 0) == UprobeTarget(path: path, offset: expected))
        #expect(try TargetResolver().resolve(target: "libc", functionName: symbol, offset: 4) == UprobeTarget(path: path, offset: expected + 4))
        let overflow = #expect(throws: TargetError.self) { try TargetResolver().resolve(target: path, functionName: symbol, offset: .max) }
        #expect(overflow?.message == "offset 18446744073709551615 overflows \(symbol)")
    }

    @Test("symbol offsets in the Swift runtime library agree with readelf", arguments: ["swift_retain", "swift_release", "swift_allocObject"])
    func swiftRuntimeSymbols(symbol: String) throws {
        let swiftCore = try #require(Self.swiftCore, "libswiftCore.so is not mapped")
        let expected = try #require(Readelf.fileOffset(of: symbol, in: swiftCore), "readelf found no \(symbol) in \(swiftCore)")
        #expect(try TargetResolver.symbolOffset(symbol, in: swiftCore) == expected)
    }
}
