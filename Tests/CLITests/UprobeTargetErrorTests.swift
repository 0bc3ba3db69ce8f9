import Foundation
import Testing
import TestSupport

/// Uprobe target and process errors say what failed and why (exit 1,
/// `bpfman: error: …`), and nothing the target names can make bpfman block.
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct UprobeTargetErrorTests {
    /// Runs bpfman under `timeout` (exit 124 if it blocks; the whole process
    /// group, bpfman-ns included, is killed then), optionally without
    /// CAP_SYS_PTRACE, which root needs to inspect pid 1's maps and namespaces.
    static func run(_ bpfman: BpfmanFixture, _ arguments: [String], withoutPtrace: Bool = false) -> CommandResult {
        let capabilities = withoutPtrace ? ["/usr/bin/setpriv", "--bounding-set", "-sys_ptrace"] : []
        return Command.run("/usr/bin/timeout", ["60"] + capabilities + [TestEnvironment.bpfman] + arguments,
                           environment: ["BPFMAN_RUNTIME_DIR": bpfman.runtimeDirectory])
    }

    /// Asserts a runtime failure: exit 1, nothing on stdout, and `expected` in the error line.
    static func expectFailure(_ result: CommandResult, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
        #expect(result.stderr.contains("bpfman: error: "), sourceLocation: sourceLocation)
        #expect(result.stderr.contains(expected), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    /// Nothing was recorded or pinned.
    static func expectNoLinks(_ bpfman: BpfmanFixture, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty, sourceLocation: sourceLocation)
        let pins = (try? FileManager.default.contentsOfDirectory(atPath: bpfman.runtimeDirectory + "/fs/links")) ?? []
        #expect(pins.isEmpty, "\(pins)", sourceLocation: sourceLocation)
    }

    @Test("--pid and --container-pid of a process root may not inspect name EACCES, not a missing process")
    func unreadableProcess() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = String(try bpfman.load("uprobe_counter", "uprobe:uprobe_counter"))
        let maps = Self.run(bpfman, ["link", "attach", "uprobe", id, TestEnvironment.probeTarget, "--fn-name", "bpfman_test_probe",
                                     "--pid", "1"], withoutPtrace: true)
        Self.expectFailure(maps, "attach uprobe: pid 1: read /proc/1/maps: permission denied")
        #expect(!maps.stderr.contains("does not exist"))
        let namespace = Self.run(bpfman, ["link", "attach", "uprobe", id, "libc", "--fn-name", "malloc", "--container-pid", "1"],
                                 withoutPtrace: true)
        Self.expectFailure(namespace, "attach uprobe via helper: container namespace for PID 1 not accessible: stat /proc/1/ns/mnt: permission denied")
        #expect(!namespace.stderr.contains("/host/proc"), "the fallback is only for a pid /proc does not have")
        // A process that does not exist still says so.
        let gone = Self.run(bpfman, ["link", "attach", "uprobe", id, TestEnvironment.probeTarget, "--fn-name", "bpfman_test_probe",
                                     "--pid", "999999"])
        Self.expectFailure(gone, "attach uprobe: pid 999999 does not exist")
        Self.expectNoLinks(bpfman)
    }

    @Test("neither a function nor a non-zero offset is refused before any kernel work, on the host and in a container")
    func missingProbeLocation() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let container = try RuncContainer(rootfs: rootfs, ["/bin/sleep", "1000"])
        defer { container.stop() }
        let id = String(try bpfman.load("uprobe_counter", "uprobe:uprobe_counter"))
        let forms: [[String]] = [
            [TestEnvironment.probeTarget, "--fn-name", ""],
            [TestEnvironment.probeTarget],
            [TestEnvironment.probeTarget, "--offset", "0"],
            ["libc", "--fn-name", "", "--container-pid", String(container.pid)],
            ["/usr/bin/probe_target", "--container-pid", String(container.pid)],
        ]
        for form in forms {
            let result = Self.run(bpfman, ["link", "attach", "uprobe", id] + form)
            Self.expectFailure(result, "requires a function name or a non-zero offset")
        }
        Self.expectNoLinks(bpfman)
    }

    @Test("a FIFO or a device as the target, the library or the cache is refused at once, on the host and in bpfman-ns")
    func nonRegularTargets() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let hostFIFO = rootfs.path + "/host.fifo"
        #expect(mkfifo(hostFIFO, 0o644) == 0)
        #expect(mkfifo(rootfs.path + "/tmp/lib.fifo", 0o644) == 0)
        let container = try RuncContainer(rootfs: rootfs, ["/bin/sleep", "1000"])
        defer { container.stop() }
        let id = String(try bpfman.load("uprobe_counter", "uprobe:uprobe_counter"))
        let attach = ["link", "attach", "uprobe", id]

        Self.expectFailure(Self.run(bpfman, attach + [hostFIFO, "--fn-name", "f"]),
                           "open executable \(hostFIFO): \(hostFIFO) is a FIFO, not a regular file")
        Self.expectFailure(Self.run(bpfman, attach + [hostFIFO, "--offset", "4096"]),
                           "uprobe target \(hostFIFO) is a FIFO, not a regular file")
        Self.expectFailure(Self.run(bpfman, attach + ["/dev/zero", "--fn-name", "f"]),
                           "open executable /dev/zero: /dev/zero is a character device, not a regular file")
        let pid = String(container.pid)
        Self.expectFailure(Self.run(bpfman, attach + ["/tmp/lib.fifo", "--fn-name", "f", "--container-pid", pid]),
                           "in container \(pid): open executable /tmp/lib.fifo: /tmp/lib.fifo is a FIFO, not a regular file")
        Self.expectFailure(Self.run(bpfman, attach + ["/tmp/lib.fifo", "--offset", "4096", "--container-pid", pid]),
                           "in container \(pid): uprobe target /tmp/lib.fifo is a FIFO, not a regular file")
        // The container's ld.so.cache as a FIFO: the lookup goes on without it and says why.
        #expect(mkfifo(rootfs.path + "/etc/ld.so.cache.fifo", 0o644) == 0)
        try FileManager.default.removeItem(atPath: rootfs.path + "/etc/ld.so.cache")
        try FileManager.default.moveItem(atPath: rootfs.path + "/etc/ld.so.cache.fifo", toPath: rootfs.path + "/etc/ld.so.cache")
        Self.expectFailure(Self.run(bpfman, attach + ["libnosuch", "--fn-name", "f", "--container-pid", pid]),
                           "resolve target \"libnosuch\": not found in /etc/ld.so.cache (is a FIFO, not a regular file)")
        Self.expectNoLinks(bpfman)
    }
}
