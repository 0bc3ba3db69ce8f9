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

@Suite("HelperLog: the namespace helper's lines, as the parent reads them")
struct HelperLogTests {
    @Test("an event survives its line, quoting included; other text is the failure message")
    func roundTrip() {
        let event = HelperLog.Event(level: .debug, message: "resolved the target", fields: [("path", "/usr/lib/x y.so"), ("offset", "0x1a"),
                                                                                          ("note", "a \"quoted\" \\ word=1")])
        #expect(event.line == "level=DEBUG msg=\"resolved the target\" path=\"/usr/lib/x y.so\" offset=0x1a note=\"a \\\"quoted\\\" \\\\ word=1\"\n")
        let stderr = event.line + "container namespace for PID 9 not accessible: open /proc/9/ns/mnt: no such file or directory\n"
            + HelperLog.Event(level: .info, message: "done").line
        let (events, message) = HelperLog.split(stderr)
        #expect(events == [event, HelperLog.Event(level: .info, message: "done")])
        #expect(message == "container namespace for PID 9 not accessible: open /proc/9/ns/mnt: no such file or directory")
    }

    @Test("lines that only look like events stay in the message")
    func notEvents() {
        for line in ["level=LOUD msg=x", "level=INFO", "level=INFO msg=\"unclosed", "level=INFO other=x", "levels=INFO msg=x"] {
            let (events, message) = HelperLog.split(line)
            #expect(events.isEmpty && message == line, "\(line)")
        }
    }

    @Test("levels are read in either case and ordered by severity")
    func levels() {
        #expect(HelperLog.Level(name: "debug") == .debug && HelperLog.Level(name: "WARN") == .warn && HelperLog.Level(name: "trace") == nil)
        #expect(HelperLog.Level.debug < .info && HelperLog.Level.warn < .error)
    }
}
