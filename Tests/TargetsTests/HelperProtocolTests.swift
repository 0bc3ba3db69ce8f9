import Diagnostics
import Targets
import Testing

/// The `bpfman-ns` command line, its reply and its exit statuses survive the
/// process boundary exactly.
@Suite struct HelperProtocolTests {
    static let arguments = UprobeHelperArguments(
        programPin: "/run/bpfman/fs/prog_7", linkPin: "/run/bpfman/fs/links/3", containerPID: 4242, target: "libc",
        functionName: "malloc", offset: 16, retprobe: true, pid: 99)

    @Test("the command line parses back to the same arguments, with and without the optional ones")
    func commandLineRoundTrip() throws {
        #expect(Self.arguments.commandLine == ["uprobe", "--program-pin", "/run/bpfman/fs/prog_7", "--link-pin", "/run/bpfman/fs/links/3",
                                               "--container-pid", "4242", "--target", "libc", "--offset", "16", "--fn-name", "malloc",
                                               "--retprobe", "--pid", "99"])
        #expect(try UprobeHelperArguments.parse(Self.arguments.commandLine).get() == Self.arguments)
        var bare = Self.arguments
        bare.functionName = nil
        bare.retprobe = false
        bare.pid = nil
        #expect(try UprobeHelperArguments.parse(bare.commandLine).get() == bare)
    }

    @Test("malformed command lines are refused with the reason", arguments: [
        (["attach"], "bpfman-ns: expected subcommand uprobe"),
        (["uprobe", "--target"], "bpfman-ns: unexpected argument --target"),
        (["uprobe", "stray", "x"], "bpfman-ns: unexpected argument stray"),
        (["uprobe", "--program-pin", "/p", "--link-pin", "/l", "--target", "libc"], "bpfman-ns: missing --program-pin, --link-pin, --container-pid or --target"),
        (["uprobe", "--program-pin", "/p", "--link-pin", "/l", "--target", "libc", "--container-pid", "x"],
         "bpfman-ns: missing --program-pin, --link-pin, --container-pid or --target"),
        (["uprobe", "--program-pin", "/p", "--link-pin", "/l", "--target", "libc", "--container-pid", "1", "--pid", "2147483648"],
         "bpfman-ns: invalid --pid 2147483648"),
    ])
    func malformed(arguments: [String], message: String) {
        guard case .failure(let error) = UprobeHelperArguments.parse(arguments) else {
            Issue.record("\(arguments) parsed")
            return
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message == message)
    }

    @Test("the reply parses back; a reply missing a field or with a bad number is refused")
    func reply() {
        let reply = UprobeHelperReply(path: "/usr/lib/libc.so.6", offset: 620_912, kernelLinkID: 31)
        #expect(reply.text == "path=/usr/lib/libc.so.6\noffset=620912\nkernel_link_id=31\n")
        #expect(UprobeHelperReply(text: reply.text) == reply)
        #expect(UprobeHelperReply(text: "path=/x\noffset=1\n") == nil)
        #expect(UprobeHelperReply(text: "path=/x\noffset=-1\nkernel_link_id=2\n") == nil)
        #expect(UprobeHelperReply(text: "path=/x\noffset=1\nkernel_link_id=4294967296\n") == nil)
    }

    @Test("each error class has its own exit status and comes back from it; unknown statuses are internal")
    func exitStatuses() {
        let codes: [ErrorCode] = [.notFound, .alreadyExists, .invalidArgument, .permissionDenied, .unsupported, .failedPrecondition,
                                  .unavailable, .internal]
        #expect(codes.map(HelperExitCode.status) == [10, 11, 12, 13, 14, 15, 16, 17])
        #expect(codes.map { HelperExitCode.code(HelperExitCode.status($0)) } == codes)
        #expect(HelperExitCode.code(1) == .internal)
        #expect(HelperExitCode.code(0) == .internal)
    }
}
