import Foundation
import Testing
import TestSupport

/// Exit codes and wording of cli.md §6, and that failures leave nothing behind.
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct ErrorContractTests {
    struct Case: Sendable, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var stderr: String
        var description: String { arguments.joined(separator: " ") }
    }

    static let uprobe = TestEnvironment.object("uprobe_counter")

    static let cases: [Case] = [
        Case(arguments: ["program", "get", "999999"], status: 1, stderr: "bpfman: error: record not found"),
        Case(arguments: ["program", "get", "999999", "-o", "json"], status: 1, stderr: "bpfman: error: record not found"),
        Case(arguments: ["program", "unload", "999999"], status: 1,
             stderr: "program 999999: program 999999 does not exist\nbpfman: error: 1 of 1 program(s) failed to unload"),
        Case(arguments: ["link", "get", "999"], status: 1, stderr: "bpfman: error: link 999 not found"),
        Case(arguments: ["link", "get", "0"], status: 1, stderr: "bpfman: error: link 0 not found"),
        Case(arguments: ["link", "detach", "999"], status: 1,
             stderr: "link 999: link 999 does not exist\nbpfman: error: 1 of 1 link(s) failed to detach"),
        Case(arguments: ["link", "attach", "tracepoint", "999999", "syscalls/sys_enter_kill"], status: 1,
             stderr: "bpfman: error: program 999999 does not exist"),
        Case(arguments: ["program", "load", "file", "/nonexistent/x.o", "--programs", "uprobe:x"], status: 1,
             stderr: "bpfman: error: object file \"/nonexistent/x.o\" does not exist"),
        Case(arguments: ["program", "load", "file", "/tmp", "--programs", "uprobe:x"], status: 1,
             stderr: "bpfman: error: object path \"/tmp\" is a directory, not a file"),
        Case(arguments: ["program", "load", "file", "/etc/hostname", "--programs", "uprobe:x"], status: 1,
             stderr: "bpfman: error: failed to load programs: load collection spec: cannot read ELF identifier"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "uprobe:no_such_prog"], status: 1,
             stderr: "bpfman: error: failed to load programs: program(s) not found in object file: [no_such_prog]; available programs: [uprobe_counter]"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "xdp:uprobe_counter"], status: 1,
             stderr: "bpfman: error: failed to load programs: load program uprobe_counter: program type mismatch: caller specified xdp but ELF section \"uprobe\" implies uprobe"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "uprobe:uprobe_counter", "-g", "nosuchvar=00"], status: 1,
             stderr: "bpfman: error: failed to load programs: load program uprobe_counter: global variable \"nosuchvar\" not found in program; available: [expected_pid weight]"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "uprobe:uprobe_counter", "-g", "weight=01"], status: 1,
             stderr: "bpfman: error: failed to load programs: load program uprobe_counter: set variable \"weight\": marshaling value weight: []uint8 doesn't marshal to 8 bytes"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "uprobe:uprobe_counter", "--map-owner-id", "999999"], status: 1,
             stderr: "bpfman: error: failed to load programs: map_owner_id 999999 does not exist: map owner not found"),
        Case(arguments: ["program", "get", "abc"], status: 80, stderr: "bpfman: error: <program-id>: invalid program ID \"abc\": must be a decimal number"),
        Case(arguments: ["program", "get", "-1"], status: 80, stderr: "bpfman: error: "),
        Case(arguments: ["program", "get", "4294967296"], status: 80,
             stderr: "bpfman: error: <program-id>: invalid program ID \"4294967296\": must be a decimal number"),
        Case(arguments: ["program", "list", "-o", "yaml"], status: 80,
             stderr: "bpfman: error: --output must be one of \"text\",\"json\" but got \"yaml\""),
        Case(arguments: ["program", "list", "-o=json"], status: 80, stderr: "but got \"=json\""),
        Case(arguments: ["-o", "json", "program", "list"], status: 80, stderr: "unknown flag -o"),
        Case(arguments: ["program", "load", "file", uprobe], status: 80, stderr: "bpfman: error: missing flags: --programs=PROGRAMS,..."),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "bogus:x"], status: 80,
             stderr: "bpfman: error: --programs: invalid program spec \"bogus:x\": unknown type \"bogus\" (valid: xdp,"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "fentry:x"], status: 80,
             stderr: "fentry requires attach function (format: fentry:FUNC_NAME:ATTACH_FUNC)"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "x"], status: 80,
             stderr: "expected TYPE:NAME format (e.g., xdp:my_prog)"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "uprobe:uprobe_counter", "-g", "x"], status: 80,
             stderr: "bpfman: error: --global: invalid format \"x\": expected NAME=HEX"),
        Case(arguments: ["program", "load", "file", uprobe, "--programs", "uprobe:uprobe_counter", "-m", "a=1,2"], status: 80,
             stderr: "bpfman: error: --metadata: invalid format \"2\": expected KEY=VALUE"),
        Case(arguments: ["link", "attach", "xdp", "1", "lo"], status: 80, stderr: "bpfman: error: missing flags: --priority=INT"),
        Case(arguments: ["link", "attach", "tracepoint", "1", "nogroup"], status: 80,
             stderr: "<tracepoint>: invalid tracepoint \"nogroup\": expected group/name (e.g. sched/sched_switch)"),
        Case(arguments: ["link", "attach", "tcx", "1", "lo", "sideways", "-p", "1"], status: 80,
             stderr: "<direction>: invalid TC direction \"sideways\": must be 'ingress' or 'egress'"),
        Case(arguments: ["dispatcher", "get", "xdp", "4026531840", "2"], status: 1,
             stderr: "bpfman: error: dispatcher (xdp, 4026531840, 2): record not found"),
        Case(arguments: ["dispatcher", "delete", "tc-ingress", "1", "2"], status: 1,
             stderr: "bpfman: error: dispatcher (tc-ingress, 1, 2): record not found"),
        Case(arguments: ["dispatcher", "get", "tc", "1", "2"], status: 80,
             stderr: "bpfman: error: <type>: invalid dispatcher type \"tc\": must be one of xdp, tc-ingress, tc-egress"),
        Case(arguments: ["dispatcher", "list", "--ifindex", "4294967296"], status: 80, stderr: "bpfman: error: --ifindex: invalid number \"4294967296\""),
        Case(arguments: ["program", "list", "-l", "a in (b"], status: 1, stderr: "bpfman: error: invalid label selector: unable to parse requirement"),
        Case(arguments: ["--runtime-dir", "relative", "program", "list"], status: 1,
             stderr: "bpfman: error: create manager: invalid runtime directory: fs: root path must be absolute, got \"relative\""),
        Case(arguments: ["program", "bogus"], status: 80, stderr: "unexpected argument bogus"),
        // Carried out by bpfman-full, with the same wording and exit codes.
        Case(arguments: ["container", "list", "--runtime", "bogus"], status: 80,
             stderr: "bpfman: error: --runtime: unknown runtime \"bogus\" (valid: cri, podman, docker)"),
        Case(arguments: ["program", "load", "image", "localhost:1/x:y", "--programs", "uprobe:x", "-p", "Sometimes"], status: 80,
             stderr: "bpfman: error: --pull-policy: unknown pull policy \"Sometimes\""),
        Case(arguments: ["link", "attach", "uprobe", "1", "/bin/true", "--containers-namespace", "x", "--container-pid", "1"], status: 80,
             stderr: "bpfman: error: --container-pid and --containers-* selectors can't be used together"),
    ]

    @Test("documented exit code and wording", arguments: cases)
    func contract(_ item: Case) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let result = bpfman.bpfman(item.arguments)
        #expect(result.status == item.status, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(item.stderr), "stderr was: \(result.stderr)")
        if item.status == 80 {
            #expect(result.stdout.hasPrefix("Usage: bpfman"), "usage on stdout")
        } else {
            #expect(result.stdout.isEmpty)
        }
        #expect(bpfman.programIDs().isEmpty, "nothing left loaded")
    }

    @Test("a command that needs bpfman-full names it when it cannot be run, and changes nothing")
    func missingFullExecutable() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let result = bpfman.bpfman(["program", "load", "image", "localhost:1/x:y", "--programs", "uprobe:x"],
                                   environment: ["BPFMAN_FULL_BIN": "/nonexistent/bpfman-full"])
        #expect(result.status == 1)
        #expect(result.stderr == "bpfman: error: cannot run /nonexistent/bpfman-full, which carries out this command: no such file or directory\n")
        #expect(result.stdout.isEmpty)
        #expect(bpfman.programIDs().isEmpty)
    }

    @Test("a verifier rejection prints the whole verifier log and leaves nothing")
    func verifierLog() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let before = Set(Command.run("/usr/sbin/bpftool", ["prog", "show"]).stdout.split(separator: "\n").filter { $0.contains("rejected") })
        let result = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("rejected"), "--programs", "tracepoint:rejected"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid mem access"))
        #expect(result.stderr.contains("processed"))
        #expect(bpfman.programIDs().isEmpty)
        let after = Set(Command.run("/usr/sbin/bpftool", ["prog", "show"]).stdout.split(separator: "\n").filter { $0.contains("rejected") })
        #expect(after == before)
    }

    @Test("corrupt and truncated objects fail cleanly", arguments: [16, 200, 1000])
    func truncatedObject(length: Int) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.object("uprobe_counter")))
        let path = bpfman.runtimeDirectory + "-truncated.o"
        try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = bpfman.bpfman(["program", "load", "file", path, "--programs", "uprobe:uprobe_counter"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("bpfman: error: failed to load programs: "), "\(result.stderr)")
        #expect(bpfman.programIDs().isEmpty)
    }
}
