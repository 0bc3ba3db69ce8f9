import Foundation
import Testing
import TestSupport

/// uprobes inside containers through bpfman-ns (issue 4), with real runc
/// containers that have their own copy of libc.
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct ContainerUprobeTests {
    @Test("libc malloc by short name and a binary's function by in-container path count exactly; uretprobe counts returns")
    func countsInsideContainer() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let mallocContainer = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "30", "malloc", "/tmp/go-malloc"])
        defer { mallocContainer.stop() }
        let probeContainer = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "20", "probe", "/tmp/go-probe"])
        defer { probeContainer.stop() }

        let malloc = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let function = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let returns = try bpfman.load("uretprobe_counter", "uretprobe:uretprobe_counter")
        let mallocLink = try bpfman.attach(["uprobe", String(malloc), "libc", "--fn-name", "malloc",
                                            "--container-pid", String(mallocContainer.pid), "--pid", String(mallocContainer.pid)])
        _ = try bpfman.attach(["uprobe", String(function), "/usr/bin/probe_target", "--fn-name", "bpfman_test_probe",
                               "--container-pid", String(probeContainer.pid)])
        let returnLink = try bpfman.attach(["uprobe", String(returns), "/usr/bin/probe_target", "--fn-name", "bpfman_test_probe",
                                            "--container-pid", String(probeContainer.pid), "--pid", String(probeContainer.pid)])
        // The same binary on the host (another inode) is not counted.
        let host = Command.run(TestEnvironment.probeTarget, ["7"], stdin: "x")
        #expect(host.status == 0)

        rootfs.touch("/tmp/go-malloc")
        rootfs.touch("/tmp/go-probe")
        #expect(rootfs.waitFor("/tmp/go-malloc.done") && rootfs.waitFor("/tmp/go-probe.done"))
        #expect(try bpfman.counter(program: malloc, map: "up_count") == 30)
        #expect(try bpfman.counter(program: function, map: "up_count") == 20)
        #expect(try bpfman.counter(program: returns, map: "uret_count") == 20)

        let record = bpfman.bpfman(["link", "get", String(mallocLink), "-o", "json"]).json["record"] as? [String: Any]
        let details = record?["details"] as? [String: Any]
        #expect(details?["container_pid"] as? Int == Int(mallocContainer.pid))
        #expect(details?["target"] as? String == "libc")
        let returnDetails = (bpfman.bpfman(["link", "get", String(returnLink), "-o", "json"]).json["record"] as? [String: Any])?["details"] as? [String: Any]
        #expect(returnDetails?["retprobe"] as? Bool == true, "a uretprobe stays a return probe through the helper")
        #expect(FileManager.default.fileExists(atPath: "\(bpfman.runtimeDirectory)/fs/links/\(mallocLink)"), "pinned in the host's bpffs")
    }

    @Test("the one-step form: load file --path --name uprobe --target libc --container-pid")
    func oneStepLoad() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let container = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "19", "malloc", "/tmp/go"])
        defer { container.stop() }
        let result = bpfman.bpfman(["load", "file", "--path", TestEnvironment.object("uprobe_counter"), "--name", "uprobe_counter",
                                    "uprobe", "--fn-name", "malloc", "--target", "libc", "--container-pid", String(container.pid), "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let id = try #require((result.json["record"] as? [String: Any])?["program_id"] as? Int)
        let links = (result.json["status"] as? [String: Any])?["links"] as? [[String: Any]] ?? []
        #expect(links.count == 1)
        rootfs.touch("/tmp/go")
        #expect(rootfs.waitFor("/tmp/go.done"))
        #expect(try bpfman.counter(program: UInt32(id), map: "up_count") == 19)
        let failed = bpfman.bpfman(["load", "file", "--path", TestEnvironment.object("uprobe_counter"), "--name", "uprobe_counter",
                                    "uprobe", "--fn-name", "no_such_symbol_xyz", "--target", "libc", "--container-pid", String(container.pid)])
        #expect(failed.status == 1)
        #expect(bpfman.programIDs() == [UInt32(id)], "a failed attach unloads what the one-step form loaded")
    }

    @Test("--container-pid scopes the lookup, --pid scopes the probe (a file shared by two containers)")
    func sharedFileScoping() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        // Both containers execute the same inode, as containers of one image on overlayfs do.
        let first = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "11", "probe", "/tmp/go-1"])
        defer { first.stop() }
        let second = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "13", "probe", "/tmp/go-2"])
        defer { second.stop() }
        let lookupOnly = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let scoped = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        _ = try bpfman.attach(["uprobe", String(lookupOnly), "/usr/bin/probe_target", "--fn-name", "bpfman_test_probe",
                               "--container-pid", String(first.pid)])
        _ = try bpfman.attach(["uprobe", String(scoped), "/usr/bin/probe_target", "--fn-name", "bpfman_test_probe",
                               "--container-pid", String(first.pid), "--pid", String(first.pid)])
        rootfs.touch("/tmp/go-1")
        rootfs.touch("/tmp/go-2")
        #expect(rootfs.waitFor("/tmp/go-1.done") && rootfs.waitFor("/tmp/go-2.done"))
        #expect(try bpfman.counter(program: lookupOnly, map: "up_count") == 24, "without --pid both containers are probed")
        #expect(try bpfman.counter(program: scoped, map: "up_count") == 11, "--pid limits the probe to one process")
    }

    @Test("without ld.so.cache, libc resolves through the process's maps or musl paths", arguments: ["nocache", "musl-layout"])
    func noCache(layout: String) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs(layout: layout)
        defer { rootfs.tearDown() }
        #expect(!FileManager.default.fileExists(atPath: rootfs.path + "/etc/ld.so.cache"))
        let container = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "17", "malloc", "/tmp/go"])
        defer { container.stop() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        _ = try bpfman.attach(["uprobe", String(id), "libc", "--fn-name", "malloc", "--container-pid", String(container.pid)])
        rootfs.touch("/tmp/go")
        #expect(rootfs.waitFor("/tmp/go.done"))
        #expect(try bpfman.counter(program: id, map: "up_count") == 17)
    }

    @Test("musl default directories resolve libc when the process maps none")
    func muslDirectories() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs(layout: "musl-layout")
        defer { rootfs.tearDown() }
        // A static busybox maps no libc: only /lib/libc.so (musl's name) can answer.
        let container = try RuncContainer(rootfs: rootfs, ["/bin/sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.01; done; /usr/bin/probe_target 9 malloc /tmp/go2 & sleep 1000"])
        defer { container.stop() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        _ = try bpfman.attach(["uprobe", String(id), "libc", "--fn-name", "malloc", "--container-pid", String(container.pid)])
        rootfs.touch("/tmp/go")
        rootfs.touch("/tmp/go2")
        #expect(rootfs.waitFor("/tmp/go2.done"))
        #expect(try bpfman.counter(program: id, map: "up_count") == 9)
    }

    @Test("a nested PID namespace shows a 3-entry NSpid chain; attaching by the innermost host PID works")
    func nestedPIDNamespace() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let container = try RuncContainer(rootfs: rootfs, privileged: true, [
            "/bin/sh", "-c", "unshare --pid --fork --mount-proc /usr/bin/probe_target 21 malloc /tmp/go & sleep 1000"])
        defer { container.stop() }
        // Find the innermost process: a probe_target whose NSpid has three entries.
        var innermost: Int32?
        for _ in 0..<200 where innermost == nil {
            let scan = Command.shell("grep -l 'probe_target' /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3")
            for pid in scan.stdout.split(separator: "\n").compactMap({ Int32($0) }) {
                let nspid = bpfman.bpfman(["container", "nspid", String(pid), "-o", "json"]).json["nspid"] as? [Int] ?? []
                if nspid.count == 3 && nspid.last == 1 { innermost = pid }
            }
            usleep(20_000)
        }
        let pid = try #require(innermost, "the nested process appeared")
        let chain = bpfman.bpfman(["container", "nspid", String(pid), "-o", "json"]).json
        #expect((chain["nspid"] as? [Int])?.first == Int(pid))
        let pidns = try #require(chain["pid_namespace"] as? Int)
        let inner = bpfman.bpfman(["container", "nspid", "--inner", "1", "--pidns", String(pidns), "-o", "json"]).json
        #expect(inner["pid"] as? Int == Int(pid), "host PID found from (inner pid, pidns)")
        let listing = bpfman.bpfman(["container", "pidns", "-o", "json"]).json["namespaces"] as? [[String: Any]] ?? []
        #expect(listing.contains { $0["inode"] as? Int == pidns && $0["pid"] as? Int == Int(pid) })

        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        _ = try bpfman.attach(["uprobe", String(id), "libc", "--fn-name", "malloc", "--container-pid", String(pid), "--pid", String(pid)])
        rootfs.touch("/tmp/go")
        #expect(rootfs.waitFor("/tmp/go.done"))
        #expect(try bpfman.counter(program: id, map: "up_count") == 21)
    }

    @Test("dead pids, kernel threads and missing targets fail clearly and leave nothing")
    func errors() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let container = try RuncContainer(rootfs: rootfs, ["/bin/sleep", "1000"])
        defer { container.stop() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let dead = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc", "--container-pid", "999999"])
        #expect(dead.status == 1)
        #expect(dead.stderr.contains("attach uprobe via helper: container namespace for PID 999999 not accessible (tried /proc/999999/ns/mnt and /host/proc/999999/ns/mnt): stat /host/proc/999999/ns/mnt: no such file or directory (no such process)"), "\(dead.stderr)")
        let kthread = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc", "--container-pid", "2"])
        #expect(kthread.status == 1)
        #expect(kthread.stderr.contains("kernel thread"), "\(kthread.stderr)")
        let missing = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libnosuch", "--fn-name", "f", "--container-pid", String(container.pid)])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("in container \(container.pid): resolve target \"libnosuch\": not found"), "\(missing.stderr)")
        #expect(missing.stderr.contains("/etc/ld.so.cache") && missing.stderr.contains("musl paths"))
        let noSymbol = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libc", "--fn-name", "no_such_symbol_xyz", "--container-pid", String(container.pid)])
        #expect(noSymbol.stderr.contains("symbol no_such_symbol_xyz: not found"))
        #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty)
        let links = (try? FileManager.default.contentsOfDirectory(atPath: bpfman.runtimeDirectory + "/fs/links")) ?? []
        #expect(links.isEmpty, "no pins left: \(links)")
    }

    @Test("a container exiting during attaches leaves only recorded links")
    func containerExitsMidAttach() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let container = try RuncContainer(rootfs: rootfs, ["/bin/sleep", "0.3"])
        defer { container.stop() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        var succeeded = 0, failed = 0
        for _ in 0..<30 {
            let result = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc", "--container-pid", String(container.pid)])
            if result.status == 0 { succeeded += 1 } else {
                failed += 1
                #expect(result.stderr.hasPrefix("bpfman: error: attach uprobe via helper: "), "\(result.stderr)")
            }
        }
        #expect(failed > 0, "the container exited during the attempts")
        let recorded = bpfman.bpfman(["link", "list", "-q"]).stdout.split(separator: "\n").count
        #expect(recorded == succeeded)
        let pins = (try? FileManager.default.contentsOfDirectory(atPath: bpfman.runtimeDirectory + "/fs/links")) ?? []
        #expect(pins.count == succeeded)
    }
}
