import Testing
import TestSupport

/// cli.md §6: parse and validation errors exit 80 with the message on stderr
/// and usage on stdout, before the root check, so an unprivileged user
/// sees them; a well-formed command that needs root then fails with exit 1.
@Suite struct UsageErrorTests {
    static let load = ["program", "load", "file", "/nonexistent/x.o"]

    @Test("usage errors exit 80 without root, with the message and the command's usage", arguments: [
        (["program", "list", "-o", "yaml"], "program list", "--output must be one of \"text\",\"json\" but got \"yaml\""),
        (["program", "get", "7", "-o=json"], "program get", "--output must be one of \"text\",\"json\" but got \"=json\""),
        (["program", "get", "abc"], "program get", "<program-id>: invalid program ID \"abc\": must be a decimal number"),
        (["program", "get", "4294967296"], "program get", "<program-id>: invalid program ID \"4294967296\": must be a decimal number"),
        (["program", "get", "0x10"], "program get", "<program-id>: invalid program ID \"0x10\": must be a decimal number"),
        (["program", "unload", "5", "x"], "program unload", "<program-id>: invalid program ID \"x\": must be a decimal number"),
        (load, "program load file", "missing flags: --programs=PROGRAMS,..."),
        (load + ["--programs", "xdp"], "program load file", "--programs: invalid program spec \"xdp\": expected TYPE:NAME format (e.g., xdp:my_prog)"),
        (load + ["--programs", "XDP:p"], "program load file",
         "--programs: invalid program spec \"XDP:p\": unknown type \"XDP\" (valid: xdp, tc, tcx, tracepoint, kprobe, kretprobe, uprobe, uretprobe, fentry, fexit, lsm)"),
        (load + ["--programs", "xdp:a,fentry:f"], "program load file",
         "--programs: invalid program spec \"fentry:f\": fentry requires attach function (format: fentry:FUNC_NAME:ATTACH_FUNC)"),
        (load + ["--programs", "xdp:p", "-g", "x"], "program load file", "--global: invalid format \"x\": expected NAME=HEX"),
        (load + ["--programs", "xdp:p", "-g", "=00"], "program load file", "--global: invalid format \"=00\": expected NAME=HEX"),
        (load + ["--programs", "xdp:p", "-g", "w=abc"], "program load file", "--global: invalid hex data for \"w\": encoding/hex: odd length hex string"),
        (load + ["--programs", "xdp:p", "-g", "w=+f"], "program load file", "--global: invalid hex data for \"w\": encoding/hex: invalid byte: U+002B '+'"),
        (load + ["--programs", "xdp:p", "-g", "w=0f-0"], "program load file", "--global: invalid hex data for \"w\": encoding/hex: invalid byte: U+002D '-'"),
        (load + ["--programs", "xdp:p", "-m", "x"], "program load file", "--metadata: invalid format \"x\": expected KEY=VALUE"),
        (load + ["--programs", "xdp:p", "-m", "a=1,2"], "program load file", "--metadata: invalid format \"2\": expected KEY=VALUE"),
        (load + ["--programs", "xdp:p", "--map-owner-id", "-1"], "program load file",
         "--map-owner-id: invalid program ID \"-1\": must be a decimal number"),
        (["version", "-o", "json"], "version", "unknown flag -o"),
        (["-o", "json", "program", "list"], "", "unknown flag -o"),
        (["program", "frobnicate"], "program", "unexpected argument frobnicate"),
        (["program", "frobnicate", "1"], "program", "unexpected argument frobnicate"),
    ])
    func usageError(arguments: [String], path: String, message: String) {
        let result = UnprivilegedCLI.run(arguments)
        #expect(result.status == 80)
        #expect(result.stderr == "bpfman: error: \(message)\n")
        #expect(result.stdout == UnprivilegedCLI.usage(path))
    }

    @Test("a negative program id is a usage error naming the id (cli.md §6)")
    func negativeProgramID() {
        let result = UnprivilegedCLI.run(["program", "get", "-1"])
        #expect(result.status == 80)
        #expect(result.stderr == "bpfman: error: <program-id>: invalid program ID \"-1\": must be a decimal number\n")
    }

    @Test("a hex byte that is not a digit is named as Go's encoding/hex names it")
    func invalidHexByte() {
        let result = UnprivilegedCLI.run(Self.load + ["--programs", "xdp:p", "-g", "w=zz"])
        #expect(result.status == 80)
        #expect(result.stderr == "bpfman: error: --global: invalid hex data for \"w\": encoding/hex: invalid byte: U+007A 'z'\n")
    }

    @Test("a well-formed command that needs root fails with exit 1 and nothing on stdout", arguments: [
        ["program", "list"],
        ["program", "get", " 7 "],
        load + ["--programs", "xdp:p", "-g", "w=0x0100", "-m", "a=1=2"],
    ])
    func needsRoot(arguments: [String]) {
        let result = UnprivilegedCLI.run(arguments)
        #expect(result.status == 1)
        #expect(result.stderr == "bpfman: error: must run as root\n")
        #expect(result.stdout.isEmpty)
    }

    @Test("bare bpfman prints the command list and exits 80")
    func bare() {
        let result = UnprivilegedCLI.run([])
        #expect(result.status == 80)
        #expect(result.stderr == "bpfman: error: expected one of \"program\", \"link\", \"image\", \"version\"\n")
        #expect(result.stdout.hasPrefix("OVERVIEW: Load, attach and manage eBPF programs.\n"))
    }
}
