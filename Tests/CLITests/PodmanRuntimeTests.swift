import Foundation
import Testing
import TestSupport

/// Host PIDs from podman's API and its Docker-compatible endpoint (issue 5).
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct PodmanRuntimeTests {
    @Test("podman and Docker-compatible APIs give the PIDs podman inspect gives; a uprobe by that PID counts")
    func listAndAttach() throws {
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let podman = try PodmanSandbox(rootfs: rootfs)
        defer { podman.tearDown() }
        let first = try podman.run(name: "first", ["/usr/bin/probe_target", "23", "malloc", "/tmp/go"])
        let second = try podman.run(name: "second", ["/bin/sleep", "1000"])
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        for runtime in ["podman", "docker"] {
            let list = bpfman.bpfman(["container", "list", "--runtime", runtime, "--socket", podman.socket, "-o", "json"])
            #expect(list.status == 0, "\(list.stderr)")
            let containers = try #require(list.json["containers"] as? [[String: Any]])
            let byName = Dictionary(uniqueKeysWithValues: containers.compactMap { item -> (String, Int)? in
                guard let name = item["name"] as? String, let pid = item["pid"] as? Int else { return nil }
                return (name, pid)
            })
            #expect(byName == ["first": Int(first), "second": Int(second)], "\(runtime)")
            #expect(containers.allSatisfy { $0["runtime"] as? String == runtime && ($0["pid_namespace"] as? Int ?? 0) > 0 })
        }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        _ = try bpfman.attach(["uprobe", String(id), "libc", "--fn-name", "malloc", "--container-pid", String(first), "--pid", String(first)])
        // podman keeps the image in overlay layers: write the trigger through the container.
        podman.podman(["exec", "first", "/bin/sh", "-c", ": > /tmp/go"])
        var done = false
        for _ in 0..<500 where !done {
            done = podman.podman(["exec", "first", "/bin/ls", "/tmp/go.done"]).status == 0
            if !done { usleep(10_000) }
        }
        #expect(done)
        #expect(try bpfman.counter(program: id, map: "up_count") == 23)
    }

    @Test("a runtime that is down, or a missing socket, is a clear error")
    func unavailable() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let missing = bpfman.bpfman(["container", "list", "--runtime", "podman", "--socket", "/tmp/no-such-podman.sock"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("podman: /tmp/no-such-podman.sock: connect: socket does not exist"), "\(missing.stderr)")
        let everything = bpfman.bpfman(["container", "list", "-o", "json"])
        #expect(everything.status == 0, "runtimes that are not running are skipped: \(everything.stderr)")
    }
}
