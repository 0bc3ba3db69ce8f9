import Foundation
import Testing
import TestSupport

/// `bpfman-agent` against the in-test API server and a real containerd with
/// CRI (issue 8): a `UprobeProgram` attaches in exactly the selected
/// containers, follows pods as they come and go, survives a restart and a
/// 410 Gone without changing what is right, reports per node, and unloads
/// everything when the resource is deleted.
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct AgentTests {
    static let node = "node-a"
    static let resource = "/apis/bpfman.io/v1alpha1/uprobeprograms"

    /// A node: a containerd with CRI, the API server, a bpfman runtime
    /// directory and an image cache, torn down together.
    final class Node: @unchecked Sendable {
        let rootfs: ContainerRootfs
        let cri: CRISandbox
        let api: FakeAPIServer
        let bpfman = BpfmanFixture()
        var cache: String { bpfman.runtimeDirectory + "-cache" }

        init() throws {
            rootfs = try ContainerRootfs()
            do { cri = try CRISandbox(rootfs: rootfs) } catch { rootfs.tearDown(); throw error }
            do { api = try FakeAPIServer() } catch { cri.tearDown(); rootfs.tearDown(); throw error }
        }

        func tearDown() {
            bpfman.tearDown()
            api.tearDown()
            cri.tearDown()
            rootfs.tearDown()
            try? FileManager.default.removeItem(atPath: cache)
            try? FileManager.default.removeItem(atPath: bpfman.runtimeDirectory + "-agent.log")
        }
    }

    static func waitFor(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// This node's report in the resource's status.
    static func report(_ api: FakeAPIServer, _ name: String) -> [String: Any] {
        let object = api.request("GET", "\(resource)/\(name)").1
        return ((object["status"] as? [String: Any])?["nodes"] as? [String: Any])?[node] as? [String: Any] ?? [:]
    }

    static func condition(_ report: [String: Any]) -> String? {
        (report["conditions"] as? [[String: Any]])?.first?["type"] as? String
    }

    static func attachedLinks(_ report: [String: Any]) -> [[String: Any]] {
        (report["links"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "Attached" }
    }

    static func writes(_ log: String) -> [String] {
        let entries = (try? JSONSerialization.jsonObject(with: Data(log.utf8))) as? [[String: Any]] ?? []
        return entries.filter { ($0["method"] as? String) != "GET" }.map { "\($0["method"] ?? "") \($0["path"] ?? "") \($0["code"] ?? "")" }.suffix(12)
    }

    /// Registers a pod object as the kubelet would.
    static func registerPod(_ api: FakeAPIServer, name: String, namespace: String, labels: [String: String]) {
        api.request("POST", "/api/v1/namespaces/\(namespace)/pods", json: [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": name, "namespace": namespace, "labels": labels],
            "spec": ["nodeName": node, "containers": [["name": "worker", "image": "bpfman-test"]]],
        ])
    }

    /// Makes the probe target in container `pid` run its calls and waits for them.
    static func trigger(_ pid: Int32) -> Bool {
        FileManager.default.createFile(atPath: "/proc/\(pid)/root/tmp/go", contents: nil)
        return waitFor(10) { FileManager.default.fileExists(atPath: "/proc/\(pid)/root/tmp/go.done") }
    }

    @Test("create, scale, restart, 410 Gone and delete: links follow the selected containers and counts prove it")
    func lifecycle() async throws {
        let node = try Node()
        defer { node.tearDown() }
        let (cri, api, bpfman, cache) = (node.cri, node.api, node.bpfman, node.cache)

        func pod(_ calls: Int) -> [CRISandbox.ContainerSpec] {
            [.init(name: "worker", command: ["/usr/bin/probe_target", String(calls), "malloc", "/tmp/go"]),
             .init(name: "sidecar", command: ["/usr/bin/probe_target", "1000", "malloc", "/tmp/never"])]
        }
        api.request("POST", "/api/v1/nodes", json: ["apiVersion": "v1", "kind": "Node",
                                                     "metadata": ["name": Self.node, "labels": ["kubernetes.io/hostname": Self.node]]])
        let web = try await cri.runPod(name: "web", namespace: "shop", labels: ["app": "nginx"], containers: pod(21))
        Self.registerPod(api, name: "web", namespace: "shop", labels: ["app": "nginx"])
        let db = try await cri.runPod(name: "db", namespace: "shop", labels: ["app": "db"], containers: pod(9))
        Self.registerPod(api, name: "db", namespace: "shop", labels: ["app": "db"])
        let webWorker = try await cri.pid(of: try #require(web["worker"]))
        let dbWorker = try await cri.pid(of: try #require(db["worker"]))

        var agent = try AgentProcess(node: Self.node, api: api, bpfman: bpfman, cri: cri, cache: cache)
        defer { agent.stop() }
        let created = api.request("POST", Self.resource, json: [
            "apiVersion": "bpfman.io/v1alpha1", "kind": "UprobeProgram", "metadata": ["name": "malloc-counter"],
            "spec": ["nodeselector": ["matchLabels": ["kubernetes.io/hostname": Self.node]], "bpffunctionname": "uprobe_counter",
                     "func_name": "malloc", "target": "libc", "retprobe": false,
                     "bytecode": ["path": TestEnvironment.object("uprobe_counter")],
                     "containers": ["namespace": "shop", "pods": ["matchLabels": ["app": "nginx"]], "containernames": ["worker"]]],
        ])
        #expect(created.0 == 201, "\(created.1)")

        #expect(Self.waitFor { Self.condition(Self.report(api, "malloc-counter")) == "Success" },
                "status: \(Self.report(api, "malloc-counter")); agent: \(agent.output)")
        var report = Self.report(api, "malloc-counter")
        let programID = try #require(report["program_id"] as? Int)
        #expect(Self.attachedLinks(report).compactMap { $0["pid"] as? Int } == [Int(webWorker)], "exactly the selected container")
        let finalizers = (api.request("GET", "\(Self.resource)/malloc-counter").1["metadata"] as? [String: Any])?["finalizers"] as? [String]
        #expect(finalizers == ["bpfman.io/agent-\(Self.node)"])

        #expect(Self.trigger(webWorker) && Self.trigger(dbWorker))
        #expect(try bpfman.counter(program: UInt32(programID), map: "up_count") == 21, "the selected worker's calls, not the db's")

        // A pod that starts later gets its link.
        let late = try await cri.runPod(name: "web-2", namespace: "shop", labels: ["app": "nginx"], containers: pod(13))
        Self.registerPod(api, name: "web-2", namespace: "shop", labels: ["app": "nginx"])
        let lateWorker = try await cri.pid(of: try #require(late["worker"]))
        #expect(Self.waitFor { Self.attachedLinks(Self.report(api, "malloc-counter")).count == 2 })
        #expect(Self.trigger(lateWorker))
        #expect(try bpfman.counter(program: UInt32(programID), map: "up_count") == 21 + 13)

        // A link the agent did not make is left alone.
        let manual = try bpfman.attach(["uprobe", String(programID), TestEnvironment.probeTarget, "--fn-name", "bpfman_test_probe"])

        // Restarting the agent changes nothing that is right.
        agent.stop()
        let before = api.request("GET", "\(Self.resource)/malloc-counter").1
        let linksBefore = bpfman.bpfman(["link", "list", "-q"]).stdout
        agent = try AgentProcess(node: Self.node, api: api, bpfman: bpfman, cri: cri, cache: cache)
        usleep(3_000_000)
        let after = api.request("GET", "\(Self.resource)/malloc-counter").1
        #expect((after["metadata"] as? [String: Any])?["resourceVersion"] as? String
                == (before["metadata"] as? [String: Any])?["resourceVersion"] as? String, "no write after a restart: \(Self.writes(api.requestLog()))")
        #expect(bpfman.bpfman(["link", "list", "-q"]).stdout == linksBefore, "same links, same ids")
        #expect(bpfman.programIDs() == [UInt32(programID)])

        // 410 Gone: history compacted and every watch cut; the agent re-lists and goes on.
        api.request("POST", "/fake/compact")
        api.request("POST", "/fake/close-watches")
        try await cri.removePod(of: try #require(late["worker"]))
        api.request("DELETE", "/api/v1/namespaces/shop/pods/web-2")
        #expect(Self.waitFor { Self.attachedLinks(Self.report(api, "malloc-counter")).count == 1 }, "the removed pod's link went")
        report = Self.report(api, "malloc-counter")
        #expect(Self.attachedLinks(report).compactMap { $0["pid"] as? Int } == [Int(webWorker)])
        #expect(bpfman.bpfman(["link", "get", String(manual)]).status == 0, "the hand-made link is untouched")

        let log = api.requestLog()
        #expect(log.contains("spec.nodeName=\(Self.node)") || log.contains("spec.nodeName%3D\(Self.node)"), "pods are watched for this node only")

        // Deleting the resource unloads everything, then the finalizer goes and the object with it.
        api.request("DELETE", "\(Self.resource)/malloc-counter")
        #expect(Self.waitFor { api.request("GET", "\(Self.resource)/malloc-counter").0 == 404 }, "the finalizer was removed")
        #expect(bpfman.programIDs().isEmpty, "the program and its links are gone")
    }

    @Test("ClusterBpfApplication and BpfApplication: each program loads once, container uprobes and node tracepoints attach, deletion unloads")
    func applications() async throws {
        let node = try Node()
        defer { node.tearDown() }
        let (cri, api, bpfman, cache) = (node.cri, node.api, node.bpfman, node.cache)

        api.request("POST", "/api/v1/nodes", json: ["apiVersion": "v1", "kind": "Node", "metadata": ["name": Self.node]])
        let web = try await cri.runPod(name: "web", namespace: "shop", labels: ["app": "nginx"], containers: [
            .init(name: "worker", command: ["/usr/bin/probe_target", "11", "malloc", "/tmp/go"])])
        Self.registerPod(api, name: "web", namespace: "shop", labels: ["app": "nginx"])
        let worker = try await cri.pid(of: try #require(web["worker"]))
        let agent = try AgentProcess(node: Self.node, api: api, bpfman: bpfman, cri: cri, cache: cache)
        defer { agent.stop() }

        let uprobe: [String: Any] = ["name": "multi_uprobe", "type": "UProbe", "uprobe": ["links": [[
            "function": "malloc", "target": "libc",
            "containers": ["namespace": "shop", "pods": ["matchLabels": ["app": "nginx"]], "containerNames": ["worker"]]]]]]
        let tracepoint: [String: Any] = ["name": "multi_tracepoint", "type": "TracePoint",
                                         "tracepoint": ["links": [["name": "syscalls/sys_enter_getppid"]]]]
        let clusterPath = "/apis/bpfman.io/v1alpha1/clusterbpfapplications"
        let created = api.request("POST", clusterPath, json: [
            "apiVersion": "bpfman.io/v1alpha1", "kind": "ClusterBpfApplication", "metadata": ["name": "multi-app"],
            "spec": ["nodeSelector": [:] as [String: Any], "byteCode": ["path": TestEnvironment.object("multi")], "programs": [uprobe, tracepoint]],
        ])
        #expect(created.0 == 201, "\(created.1)")
        func report(_ path: String) -> [String: Any] {
            let object = api.request("GET", path).1
            return ((object["status"] as? [String: Any])?["nodes"] as? [String: Any])?[Self.node] as? [String: Any] ?? [:]
        }
        #expect(Self.waitFor { Self.condition(report("\(clusterPath)/multi-app")) == "Success" },
                "\(report("\(clusterPath)/multi-app")) \(agent.output)")
        let programs = report("\(clusterPath)/multi-app")["programs"] as? [[String: Any]] ?? []
        #expect(programs.compactMap { $0["name"] as? String } == ["multi_uprobe", "multi_tracepoint"])
        let uprobeID = try #require(programs.first?["program_id"] as? Int)
        let tracepointID = try #require(programs.last?["program_id"] as? Int)
        #expect(((programs.first?["links"] as? [[String: Any]])?.compactMap { $0["pid"] as? Int }) == [Int(worker)])
        #expect(Self.trigger(worker))
        #expect(try bpfman.counter(program: UInt32(uprobeID), map: "multi_count") == 11, "the container's calls, exactly")
        for _ in 0..<5 { _ = getppid() }
        #expect(try bpfman.counter(program: UInt32(tracepointID), map: "multi_count") >= 5, "the node-wide tracepoint fires")

        // A namespaced application reaches its own namespace's pods only.
        let namespacedPath = "/apis/bpfman.io/v1alpha1/namespaces/shop/bpfapplications"
        var scoped = uprobe
        scoped["uprobe"] = ["links": [["function": "malloc", "target": "libc", "containers": ["pods": ["matchLabels": ["app": "nginx"]]]]]]
        api.request("POST", namespacedPath, json: [
            "apiVersion": "bpfman.io/v1alpha1", "kind": "BpfApplication", "metadata": ["name": "scoped", "namespace": "shop"],
            "spec": ["nodeSelector": [:] as [String: Any], "byteCode": ["path": TestEnvironment.object("multi")], "programs": [scoped]],
        ])
        #expect(Self.waitFor { Self.condition(report("\(namespacedPath)/scoped")) == "Success" }, "\(report("\(namespacedPath)/scoped"))")
        let scopedLinks = ((report("\(namespacedPath)/scoped")["programs"] as? [[String: Any]])?.first?["links"] as? [[String: Any]]) ?? []
        #expect(scopedLinks.compactMap { $0["namespace"] as? String } == ["shop"])
        #expect(bpfman.programIDs().count == 3)

        api.request("DELETE", "\(clusterPath)/multi-app")
        api.request("DELETE", "\(namespacedPath)/scoped")
        #expect(Self.waitFor { api.request("GET", "\(clusterPath)/multi-app").0 == 404 && api.request("GET", "\(namespacedPath)/scoped").0 == 404 })
        #expect(bpfman.programIDs().isEmpty, "everything the applications loaded is gone")
    }
}
