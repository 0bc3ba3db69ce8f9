import Foundation
import Testing
import TestSupport

/// Where this CLI drifted from the reference's flags, errors and outputs
/// (cli.md, reference-text-outputs.md), and bad input that must be refused
/// at once with a message naming what is wrong.
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct CLIFidelityTests {
    static let uprobe = TestEnvironment.object("uprobe_counter")

    @Test("--quiet is -q's long form for program list and link list")
    func quietLongForm() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let programs = bpfman.bpfman(["program", "list", "--quiet"])
        #expect(programs.status == 0 && programs.stdout == "\(id)\n", "\(programs.stderr)")
        let links = bpfman.bpfman(["link", "list", "--quiet"])
        #expect(links.status == 0 && links.stdout.isEmpty, "\(links.stderr)")
    }

    @Test("program list --type names only known types", arguments: ["--type=bogus", "-p=bogus"])
    func unknownProgramType(flag: String) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let arguments = flag.hasPrefix("-p") ? ["program", "list", "-p", "bogus"] : ["program", "list", flag]
        let result = bpfman.bpfman(arguments)
        #expect(result.status == 80)
        #expect(result.stderr == "bpfman: error: unknown program type \"bogus\"\n")
    }

    @Test("full --help lists the global flags; compact -h does not")
    func globalFlagsInHelp() {
        let bpfman = BpfmanFixture()
        for command in [["program", "list"], ["link", "attach", "uprobe"], []] {
            let full = bpfman.bpfman(command + ["--help"])
            #expect(full.status == 0)
            for flag in ["--config", "--log", "--runtime-dir", "--image-cache-dir", "--lock-timeout"] {
                #expect(full.stdout.contains(flag), "\(command) --help lacks \(flag)")
            }
            #expect(!bpfman.bpfman(command + ["-h"]).stdout.contains("--lock-timeout"))
        }
        #expect(bpfman.bpfman(["help", "program", "list"]).stdout.contains("--runtime-dir"))
    }

    @Test("a negative number is an invalid value, not a missing one",
          arguments: [["link", "attach", "uprobe", "1", "libc", "-f", "malloc", "--pid", "-5"],
                      ["link", "attach", "uprobe", "1", "libc", "-f", "malloc", "--container-pid", "-5"],
                      ["link", "attach", "uprobe", "1", "libc", "--offset", "-5"],
                      ["link", "attach", "tcx", "1", "lo", "ingress", "--priority", "-5"],
                      ["program", "load", "file", "x.o", "--programs", "uprobe:x", "--map-owner-id", "-5"]])
    func negativeNumbers(arguments: [String]) {
        let bpfman = BpfmanFixture()
        let result = bpfman.bpfman(arguments)
        #expect(result.status == 80)
        #expect(result.stderr.contains("invalid") && result.stderr.contains("-5") && !result.stderr.contains("missing"), "\(result.stderr)")
    }

    @Test("the verifier log is printed whole, each line indented by a tab")
    func verifierLogIndented() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let result = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("rejected"), "--programs", "tracepoint:rejected"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("bpfman: error: failed to load programs: load program rejected: "))
        let logLines = result.stderr.split(separator: "\n").dropFirst()
        #expect(!logLines.isEmpty && logLines.allSatisfy { $0.hasPrefix("\t") }, "\(result.stderr)")
        #expect(logLines.contains { $0.contains("invalid mem access") } && logLines.contains { $0.contains("processed") })
    }

    @Test("image generate-build-args names the object it could not open")
    func generateBuildArgsErrors() throws {
        let bpfman = BpfmanFixture()
        let missing = bpfman.bpfman(["image", "generate-build-args", "/nonexistent/x.o"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "bpfman: error: open bytecode ELF: open /nonexistent/x.o: no such file or directory\n")
        let text = bpfman.runtimeDirectory + "-text.o"
        try "not an object\n".write(toFile: text, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: text) }
        let malformed = bpfman.bpfman(["image", "generate-build-args", text])
        #expect(malformed.status == 1)
        #expect(malformed.stderr.hasPrefix("bpfman: error: open bytecode ELF: load collection spec: cannot read ELF identifier"), "\(malformed.stderr)")
    }

    /// Writes `bytes` next to the fixture's runtime directory and loads it.
    func loadBytes(_ bpfman: BpfmanFixture, _ bytes: [UInt8], _ name: String) throws -> CommandResult {
        let path = bpfman.runtimeDirectory + "-\(name).o"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return bpfman.bpfman(["program", "load", "file", path, "--programs", "uprobe:uprobe_counter"])
    }

    @Test("a section header entry size the ELF format does not allow is refused, not loaded without its license", arguments: [0, 1])
    func sectionHeaderEntrySize(size: UInt16) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.uprobe)))
        bytes[58] = UInt8(size & 0xff)  // e_shentsize of ELF64, little endian
        bytes[59] = 0
        let result = try loadBytes(bpfman, bytes, "shentsize\(size)")
        #expect(result.status == 1)
        #expect(result.stderr.contains("section header entry size \(size)"), "\(result.stderr)")
        #expect(bpfman.programIDs().isEmpty)
    }

    /// The file range of ELF64 section `name` in `bytes`.
    static func sectionRange(_ name: String, in bytes: [UInt8]) -> Range<Int>? {
        func integer(_ offset: Int, _ size: Int) -> Int { (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) } }
        let table = integer(40, 8), entrySize = integer(58, 2), count = integer(60, 2)
        let names = integer(table + integer(62, 2) * entrySize + 24, 8)
        for index in 0..<count {
            let header = table + index * entrySize
            let start = names + integer(header, 4)
            let found = String(decoding: bytes[start...].prefix { $0 != 0 }, as: UTF8.self)
            if found == name { return integer(header + 24, 8)..<(integer(header + 24, 8) + integer(header + 32, 8)) }
        }
        return nil
    }

    @Test("a broken object's error names the broken part, not a missing file")
    func brokenPartNamed() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.uprobe)))
        let btf = try #require(Self.sectionRange(".BTF", in: bytes))
        bytes.replaceSubrange(btf, with: [UInt8](repeating: 0, count: btf.count))
        let result = try loadBytes(bpfman, bytes, "zeroed-btf")
        #expect(result.status == 1)
        #expect(result.stderr.contains("Error loading ELF section .BTF") && result.stderr.contains("BTF is required"), "\(result.stderr)")
        #expect(!result.stderr.contains("no such file or directory") && !result.stderr.hasSuffix("invalid argument\n"))
        #expect(bpfman.programIDs().isEmpty)
    }

    @Test("objects that are not regular files, or no path at all, are refused at once with what they are")
    func notRegularObjects() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let fifo = bpfman.runtimeDirectory + "-fifo.o"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let loop = bpfman.runtimeDirectory + "-loop.o"
        #expect(symlink(loop, loop) == 0)
        defer { unlink(loop) }
        // A FIFO nobody writes would block open(2) forever: `timeout`
        // turns a hang into exit 124, which fails the expectation below.
        let cases: [(String, String)] = [
            (fifo, "object path \"\(fifo)\" is a FIFO, not a regular file"),
            ("/dev/null", "object path \"/dev/null\" is a character device, not a regular file"),
            (loop, "read object file \"\(loop)\": too many levels of symbolic links"),
            ("", "object path is empty"),
        ]
        for (path, message) in cases {
            let result = Command.run("/usr/bin/timeout", ["30", TestEnvironment.bpfman, "--runtime-dir", bpfman.runtimeDirectory,
                                                         "program", "load", "file", path, "--programs", "uprobe:uprobe_counter"])
            #expect(result.status == 1)
            #expect(result.stderr == "bpfman: error: \(message)\n")
        }
        #expect(bpfman.programIDs().isEmpty)
    }

    @Test("version reports the build's platform and, when the Makefile linked it, its git commit")
    func versionFromBuild() {
        let rows = Dictionary(BpfmanFixture().bpfman(["version"]).stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { first, _ in first })
        #if arch(x86_64)
        #expect(rows["Platform"] == "linux/amd64")
        #endif
        let head = Command.run("/usr/bin/git", ["-C", TestEnvironment.repoRoot, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // `make test` links the build ID; a plain `swift test` does not.
        if TestEnvironment.isCI || rows["Git commit"] != "unknown" {
            #expect(rows["Git commit"] == head, "\(rows)")
            #expect(["clean", "dirty"].contains(rows["Git state"] ?? ""))
            #expect(rows["Build date"]?.hasSuffix("Z") == true)
        }
    }

    @Test("link get of an unknown id names the link")
    func unknownLink() {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let result = bpfman.bpfman(["link", "get", "999999"])
        #expect(result.status == 1 && result.stderr == "bpfman: error: link 999999 not found\n")
    }

    @Test("the database and the copied objects are root-only")
    func stateIsRootOnly() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        func mode(_ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: bpfman.runtimeDirectory + path))?[.posixPermissions] as? Int
        }
        #expect(mode("/db") == 0o700 && mode("/programs") == 0o700 && mode("/programs/\(id)") == 0o700)
        for file in ["/db/store.db", "/db/store.db-wal", "/db/store.db-shm", "/programs/\(id)/bytecode.o", "/programs/\(id)/provenance.json"] {
            #expect(mode(file) == 0o600, "\(file)")
        }
    }

    @Test("--log=debug prints slog debug lines on stderr and changes nothing on stdout")
    func debugLog() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let quiet = bpfman.bpfman(["program", "list"])
        let debug = bpfman.bpfman(["--log=debug", "program", "list"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(debug.status == 0 && debug.stdout == quiet.stdout, "\(debug.stderr)")
        let lines = debug.stderr.split(separator: "\n").map(String.init)
        let layout = /time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(Z|[+-]\d\d:\d\d) (level=DEBUG msg=.*)/
        let bodies = lines.compactMap { try? layout.wholeMatch(in: $0).map { String($0.output.2) } }
        #expect(bodies.count == lines.count, "\(debug.stderr)")
        #expect(bodies.contains("level=DEBUG msg=\"opened database\" component=store path=\(bpfman.runtimeDirectory)/db/store.db"), "\(debug.stderr)")
    }

    @Test("--log wins over $BPFMAN_LOG, which wins over the default warn; a bad spec exits 1")
    func logPrecedence() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        #expect(bpfman.bpfman(["program", "list"]).status == 0)
        // An orphan bytecode copy, which the next writer's repair removes and logs at info.
        let orphan = "\(bpfman.runtimeDirectory)/programs/999998"
        let unload = ["program", "unload", "999999", "--ignore-missing"]
        func unloadWithOrphan(_ log: [String], environment: [String: String]) throws -> CommandResult {
            try FileManager.default.createDirectory(atPath: orphan, withIntermediateDirectories: false)
            let result = bpfman.bpfman(log + unload, environment: environment)
            #expect(result.status == 0 && !FileManager.default.fileExists(atPath: orphan), "\(result.stderr)")
            return result
        }

        let overridden = try unloadWithOrphan(["--log=error"], environment: ["BPFMAN_LOG": "info"])
        #expect(overridden.stderr.isEmpty, "\(overridden.stderr)")
        let fromEnvironment = try unloadWithOrphan([], environment: ["BPFMAN_LOG": "info"])
        let lines = fromEnvironment.stderr.split(separator: "\n").map { String($0.drop { $0 != " " }.dropFirst()) }
        #expect(lines == ["level=INFO msg=\"removing orphan bytecode copy\" component=repair path=\(orphan) program_id=999998"],
                "\(fromEnvironment.stderr)")
        let byDefault = try unloadWithOrphan([], environment: [:])
        #expect(byDefault.stderr.isEmpty, "\(byDefault.stderr)")

        let bad = bpfman.bpfman(["--log=loud", "program", "list"], environment: ["BPFMAN_LOG": "info"])
        #expect(bad.status == 1 && bad.stdout.isEmpty)
        #expect(bad.stderr == "bpfman: error: create logger: invalid log spec: unknown log level: \"loud\"\n")
        let badEnvironment = bpfman.bpfman(["program", "list"], environment: ["BPFMAN_LOG": "info,=debug"])
        #expect(badEnvironment.status == 1)
        #expect(badEnvironment.stderr == "bpfman: error: create logger: invalid log spec: empty component name in \"=debug\"\n")
        let goodFlag = bpfman.bpfman(["--log=warn", "program", "list"], environment: ["BPFMAN_LOG": "loud"])
        #expect(goodFlag.status == 0 && goodFlag.stderr.isEmpty, "\(goodFlag.stderr)")
    }

    @Test("the config file's [logging] table is checked as the reference checks it")
    func configLogging() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let path = "/tmp/bpfman-log-config-\(getpid()).toml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (text, message) in [("[logging]\nlevel = \"loud\"\n", #"invalid config: unknown log level: "loud""#),
                                ("[logging]\nformat = \"xml\"\n", #"invalid config: unknown log format: "xml""#),
                                ("[logging.components]\nstore = \"loud\"\n",
                                 #"invalid config: invalid level for component "store": unknown log level: "loud""#)] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let result = bpfman.bpfman(["--config", path, "program", "list"])
            #expect(result.status == 1 && result.stderr == "bpfman: error: create logger: \(message)\n", "\(result.stderr)")
        }
        // The CLI's level is --log, $BPFMAN_LOG or warn: the file's level is for `serve`.
        try "[logging]\nlevel = \"debug\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = bpfman.bpfman(["--config", path, "program", "list"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    }
}
