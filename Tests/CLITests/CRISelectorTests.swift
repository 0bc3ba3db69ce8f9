import Foundation
import Testing
import TestSupport

/// Container selectors resolved through CRI, against a real containerd (issue 5).
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct CRISelectorTests {
    @Test("a selector picks exactly the right containers; each link counts its own container's calls")
    func selectorAttach() async throws {
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let cri = try CRISandbox(rootfs: rootfs)
        defer { cri.tearDown() }
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        func pod(_ calls: Int) -> [CRISandbox.ContainerSpec] {
            [CRISandbox.ContainerSpec(name: "worker", command: ["/usr/bin/probe_target", String(calls), "malloc", "/tmp/go"]),
             CRISandbox.ContainerSpec(name: "sidecar", command: ["/usr/bin/probe_target", "1000", "malloc", "/tmp/never"])]
        }
        let web = try await cri.runPod(name: "web", namespace: "shop", labels: ["app": "nginx", "tier": "web"], containers: pod(31))
        let api = try await cri.runPod(name: "api", namespace: "shop", labels: ["app": "nginx", "tier": "api"], containers: pod(17))
        let other = try await cri.runPod(name: "web", namespace: "elsewhere", labels: ["app": "nginx", "tier": "web"], containers: pod(5))
        let webWorker = try await cri.pid(of: try #require(web["worker"]))
        let apiWorker = try await cri.pid(of: try #require(api["worker"]))
        let otherWorker = try await cri.pid(of: try #require(other["worker"]))

        let list = bpfman.bpfman(["container", "list", "--runtime", "cri", "--socket", cri.socket, "-o", "json"])
        #expect(list.status == 0, "\(list.stderr)")
        let containers = try #require(list.json["containers"] as? [[String: Any]])
        #expect(containers.count == 6)
        let workers = containers.filter { $0["name"] as? String == "worker" }
        #expect(Set(workers.compactMap { $0["pid"] as? Int }) == Set([webWorker, apiWorker, otherWorker].map(Int.init)), "PIDs equal the runtime's")
        #expect(Set(workers.compactMap { "\($0["namespace"] ?? "")/\($0["pod"] ?? "")" }) == ["shop/web", "shop/api", "elsewhere/web"])

        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let attach = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc",
                                    "--containers-namespace", "shop", "--containers-pod-selector", "app=nginx,tier in (web, api)",
                                    "--containers-name", "worker", "--runtime-endpoint", "unix://" + cri.socket, "-o", "json"])
        #expect(attach.status == 0, "\(attach.stderr)")
        let links = try #require(attach.json["links"] as? [[String: Any]])
        let pids = links.compactMap { (($0["record"] as? [String: Any])?["details"] as? [String: Any])?["container_pid"] as? Int }
        #expect(Set(pids) == [Int(webWorker), Int(apiWorker)], "exactly the two workers in namespace shop")

        // Each pod's worker counts its own calls: the links are scoped by pid.
        for pid in [webWorker, apiWorker, otherWorker] {
            FileManager.default.createFile(atPath: "/proc/\(pid)/root/tmp/go", contents: nil)
        }
        for pid in [webWorker, apiWorker, otherWorker] {
            var done = false
            for _ in 0..<500 where !done {
                done = FileManager.default.fileExists(atPath: "/proc/\(pid)/root/tmp/go.done")
                if !done { usleep(10_000) }
            }
            #expect(done)
        }
        #expect(try bpfman.counter(program: id, map: "up_count") == 31 + 17, "the selected workers' calls, nothing else")
    }

    @Test("a runtime that is down or a missing socket is a clear error, with nothing half-attached")
    func runtimeDown() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let result = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc",
                                    "--containers-namespace", "x", "--runtime-endpoint", "/tmp/no-such-cri.sock"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("resolve container selector: cri: /tmp/no-such-cri.sock: socket does not exist"), "\(result.stderr)")
        #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty)
        let list = bpfman.bpfman(["container", "list", "--runtime", "cri", "--socket", "/tmp/no-such-cri.sock"])
        #expect(list.status == 1 && list.stderr.contains("socket does not exist"))
    }
}

/// `--watch`: links follow containers as they start and stop (issue 5).
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct CRIWatchTests {
    @Test("a pod started later gets its link, counting its calls; removing the pod drops the link")
    func watch() async throws {
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let cri = try CRISandbox(rootfs: rootfs)
        defer { cri.tearDown() }
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: TestEnvironment.bpfman)
        watcher.arguments = ["link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc", "--containers-namespace", "shop",
                             "--containers-name", "worker", "--runtime-endpoint", cri.socket, "--watch", "--watch-interval", "0.2", "-o", "json"]
        watcher.environment = ["BPFMAN_RUNTIME_DIR": bpfman.runtimeDirectory]
        let output = Pipe()
        watcher.standardOutput = output
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        defer { if watcher.isRunning { watcher.interrupt(); watcher.waitUntilExit() } }

        func linkCount() -> Int { bpfman.bpfman(["link", "list", "-q"]).stdout.split(separator: "\n").count }
        func waitFor(_ condition: () -> Bool) -> Bool {
            for _ in 0..<300 { if condition() { return true }; usleep(20_000) }
            return false
        }
        #expect(linkCount() == 0)
        let pod = try await cri.runPod(name: "late", namespace: "shop", labels: ["app": "x"], containers: [
            .init(name: "worker", command: ["/usr/bin/probe_target", "14", "malloc", "/tmp/go"]),
            .init(name: "sidecar", command: ["/bin/sleep", "1000"])])
        #expect(waitFor { linkCount() == 1 }, "the new pod's worker got a link")
        let worker = try await cri.pid(of: try #require(pod["worker"]))
        FileManager.default.createFile(atPath: "/proc/\(worker)/root/tmp/go", contents: nil)
        #expect(waitFor { FileManager.default.fileExists(atPath: "/proc/\(worker)/root/tmp/go.done") })
        #expect(try bpfman.counter(program: id, map: "up_count") == 14)
        try await cri.removePod(of: try #require(pod["worker"]))
        #expect(waitFor { linkCount() == 0 }, "the link went with the pod")
        watcher.interrupt()
        watcher.waitUntilExit()
        let events = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(events.contains("\"event\":\"attached\"") && events.contains("\"event\":\"detached\""), "\(events)")
    }
}
