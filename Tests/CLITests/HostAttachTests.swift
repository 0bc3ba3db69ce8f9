import Foundation
import Testing
import TestSupport

/// `link attach` on the host, for every kind this kernel offers (issue 3).
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct HostAttachTests {
    /// Starts the probe target waiting on stdin; `release` makes it call
    /// its function `count` times and exit.
    final class Target: @unchecked Sendable {
        let process = Process()
        private let input = Pipe()

        init(count: Int, mode: String = "probe") throws {
            process.executableURL = URL(fileURLWithPath: TestEnvironment.probeTarget)
            process.arguments = [String(count), mode]
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        func release() {
            input.fileHandleForWriting.write(Data("x".utf8))
            process.waitUntilExit()
        }
    }

    @Test("a uprobe and a uretprobe count exactly N calls; --pid excludes other processes")
    func uprobeCounts() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let up = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let uret = try bpfman.load("uretprobe_counter", "uretprobe:uretprobe_counter")
        let probed = try Target(count: 25)
        let other = try Target(count: 9)
        let upLink = try bpfman.attach(["uprobe", String(up), TestEnvironment.probeTarget, "--fn-name", "bpfman_test_probe", "--pid", String(probed.pid)])
        let uretLink = try bpfman.attach(["uprobe", String(uret), TestEnvironment.probeTarget, "-f", "bpfman_test_probe"])
        probed.release()
        other.release()
        #expect(try bpfman.counter(program: up, map: "up_count") == 25, "only the --pid process counts")
        #expect(try bpfman.counter(program: uret, map: "uret_count") == 34, "uretprobe counts every return")

        let get = bpfman.bpfman(["link", "get", String(uretLink), "-o", "json"])
        let details = ((get.json["record"] as? [String: Any])?["details"] as? [String: Any]) ?? [:]
        #expect(details["retprobe"] as? Bool == true, "a uretprobe program attaches as a return probe")
        #expect((get.json["record"] as? [String: Any])?["kind"] as? String == "uretprobe")
        let upDetails = ((bpfman.bpfman(["link", "get", String(upLink), "-o", "json"]).json["record"] as? [String: Any])?["details"] as? [String: Any]) ?? [:]
        #expect(upDetails["pid"] as? Int == Int(probed.pid))
        #expect(upDetails["target"] as? String == TestEnvironment.probeTarget)

        let pin = "\(bpfman.runtimeDirectory)/fs/links/\(upLink)"
        #expect(FileManager.default.fileExists(atPath: pin))
        #expect(bpfman.bpfman(["link", "detach", String(upLink)]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: pin), "detach removes the pin")
        let after = try Target(count: 4)
        after.release()
        #expect(try bpfman.counter(program: up, map: "up_count") == 25, "a detached probe no longer fires")
    }

    @Test("libc + malloc resolves through ld.so.cache and counts a process's calls")
    func libcMalloc() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let up = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let target = try Target(count: 40, mode: "malloc")
        let link = try bpfman.attach(["uprobe", String(up), "libc", "--fn-name", "malloc", "--pid", String(target.pid)])
        target.release()
        #expect(try bpfman.counter(program: up, map: "up_count") == 40)
        let record = bpfman.bpfman(["link", "get", String(link), "-o", "json"]).json["record"] as? [String: Any]
        #expect((record?["details"] as? [String: Any])?["target"] as? String == "libc", "stored exactly as typed")
    }

    @Test("target and symbol errors are named")
    func uprobeErrors() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let up = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let missingSymbol = bpfman.bpfman(["link", "attach", "uprobe", String(up), "libc", "--fn-name", "no_such_symbol_xyz"])
        #expect(missingSymbol.status == 1)
        #expect(missingSymbol.stderr.contains("attach uprobe to no_such_symbol_xyz in /"))
        #expect(missingSymbol.stderr.contains("symbol no_such_symbol_xyz: not found"))
        let missingFile = bpfman.bpfman(["link", "attach", "uprobe", String(up), "/x.so", "--fn-name", "f"])
        #expect(missingFile.stderr.contains("open executable /x.so: parse ELF file: open /x.so: no such file or directory"))
        let missingLibrary = bpfman.bpfman(["link", "attach", "uprobe", String(up), "libnosuchlib", "--fn-name", "f"])
        #expect(missingLibrary.stderr.contains("resolve target \"libnosuchlib\": not found in /etc/ld.so.cache"))
        #expect(missingLibrary.stderr.contains("(pass an absolute path)"))
        let mismatch = bpfman.bpfman(["link", "attach", "xdp", String(up), "lo", "-p", "1"])
        #expect(mismatch.stderr.contains("program \(up) is a uprobe program; the xdp attach accepts xdp"))
        #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty)
        // Failed attaches still consume link ids.
        let ok = try bpfman.attach(["uprobe", String(up), TestEnvironment.probeTarget, "--fn-name", "bpfman_test_probe"])
        #expect(ok == 4)
    }

    @Test("a tracepoint counts exactly the triggered syscalls")
    func tracepoint() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let hex = TestEnvironment.littleEndianHex(UInt32(getpid()))
        let id = try bpfman.load("tracepoint_counter", "tracepoint:tracepoint_counter", extra: ["-g", "expected_pid=\(hex)"])
        let link = try bpfman.attach(["tracepoint", String(id), "syscalls/sys_enter_getppid"])
        for _ in 0..<17 { _ = getppid() }
        #expect(try bpfman.counter(program: id, map: "tp_count") == 17)
        let details = ((bpfman.bpfman(["link", "get", String(link), "-o", "json"]).json["record"] as? [String: Any])?["details"]) as? [String: String]
        #expect(details == ["group": "syscalls", "name": "sys_enter_getppid"])
        let unknown = bpfman.bpfman(["link", "attach", "tracepoint", String(id), "nosuchgroup/nosuchtp"])
        #expect(unknown.status == 1 && unknown.stderr.contains("tracepoint \"nosuchgroup/nosuchtp\" not found"))
        // Unloading a program with links detaches them all.
        #expect(bpfman.bpfman(["program", "unload", String(id)]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(bpfman.runtimeDirectory)/fs/links/\(link)"))
        #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty)
    }

    @Test("XDP counts packets over a veth pair; a second XDP program is refused")
    func xdp() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let veth = try VethPair()
        defer { veth.tearDown() }
        let first = try bpfman.load("xdp_counter", "xdp:xdp_counter")
        let second = try bpfman.load("xdp_counter", "xdp:xdp_counter")
        let link = try bpfman.attach(["xdp", String(first), veth.receiverInterface, "-p", "50", "-n", veth.receiverPath])
        #expect(veth.ping(12) == 12)
        #expect(try bpfman.counter(program: first, map: "xdp_count") == 12)
        let refused = bpfman.bpfman(["link", "attach", "xdp", String(second), veth.receiverInterface, "-p", "10", "-n", veth.receiverPath])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is already attached to \(veth.receiverInterface) as link \(link)"), "\(refused.stderr)")
        #expect(veth.ping(3) == 3)
        #expect(try bpfman.counter(program: first, map: "xdp_count") == 15, "the first program still runs")
        let details = ((bpfman.bpfman(["link", "get", String(link), "-o", "json"]).json["record"] as? [String: Any])?["details"]) as? [String: Any]
        #expect(details?["netns"] as? String == veth.receiverPath)
        #expect(details?["proceed_on"] as? [Int] == [2, 31])
        #expect(bpfman.bpfman(["link", "detach", String(link)]).status == 0)
        veth.ping(2)
        #expect(try bpfman.counter(program: first, map: "xdp_count") == 15)
    }

    @Test("TCX programs count packets and run in priority order")
    func tcxOrdering() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let veth = try VethPair()
        defer { veth.tearDown() }
        let late = try bpfman.load("tc_counter", "tcx:tc_counter", extra: ["-g", "tag=0100000000000000"])
        let early = try bpfman.load("tc_counter", "tcx:tc_counter", extra: ["-g", "tag=0200000000000000", "--map-owner-id", String(late)])
        let lateLink = try bpfman.attach(["tcx", String(late), veth.receiverInterface, "ingress", "-p", "50", "-n", veth.receiverPath])
        let earlyLink = try bpfman.attach(["tcx", String(early), veth.receiverInterface, "ingress", "-p", "10", "-n", veth.receiverPath])
        #expect(veth.ping(8) == 8)
        #expect(try bpfman.counter(program: late, map: "tc_count") == 16, "both programs saw all 8 packets")
        #expect(try bpfman.counter(program: late, map: "first_tag") == 2, "priority 10 ran before priority 50")
        func position(_ link: UInt64) -> Int? {
            (((bpfman.bpfman(["link", "get", String(link), "-o", "json"]).json["record"] as? [String: Any])?["details"]) as? [String: Any])?["position"] as? Int
        }
        #expect(position(earlyLink) == 0)
        let pin = "\(bpfman.runtimeDirectory)/fs/tcx-ingress"
        #expect(try FileManager.default.contentsOfDirectory(atPath: pin).count == 2)
        let duplicate = bpfman.bpfman(["link", "attach", "tcx", String(late), veth.receiverInterface, "ingress", "-p", "5", "-n", veth.receiverPath])
        #expect(duplicate.stderr.contains("program \(late) is already attached to \(veth.receiverInterface) ingress as link \(lateLink); detach it first"))
        #expect(bpfman.bpfman(["link", "detach", String(earlyLink), String(lateLink)]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: pin), "empty tcx directory removed")
        veth.ping(2)
        #expect(try bpfman.counter(program: late, map: "tc_count") == 16)
    }

    @Test("TC attaches a cls_bpf filter that counts packets")
    func tc() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let veth = try VethPair()
        defer { veth.tearDown() }
        let id = try bpfman.load("tc_counter", "tc:tc_counter")
        let link = try bpfman.attach(["tc", String(id), veth.receiverInterface, "ingress", "-p", "50", "-n", veth.receiverPath])
        #expect(veth.ping(6) == 6)
        #expect(try bpfman.counter(program: id, map: "tc_count") == 6)
        let get = bpfman.bpfman(["link", "get", String(link), "-o", "json"])
        #expect((get.json["status"] as? [String: Any])?["kernel_seen"] as? Bool == true)
        #expect(bpfman.bpfman(["program", "unload", String(id)]).status == 0)
        veth.ping(2)
        let filters = Command.shell("nsenter --net=\(veth.receiverPath) tc filter show dev \(veth.receiverInterface) ingress")
        #expect(!filters.stdout.contains("tc_counter"), "the filter is gone: \(filters.stdout)")
    }
}
