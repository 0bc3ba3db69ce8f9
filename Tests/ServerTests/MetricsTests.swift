import BpfmanProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
import TestSupport

/// `bpfman serve --metrics-address`: the Prometheus endpoint, scraped over
/// HTTP and parsed by the Python `prometheus_client` parser (issue 17).
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct MetricsTests {
    /// A `bpfman serve` with metrics on a port the kernel chose, and the
    /// address it announces.
    final class Served: @unchecked Sendable {
        let server: ServeProcess
        let metricsURL: String
        var bpfman: BpfmanFixture { server.bpfman }
        var socket: String { server.socket }

        init() throws {
            server = try ServeProcess(arguments: ["--metrics-address", "127.0.0.1:0"])
            let prefix = "bpfman: serving metrics on "
            guard let line = server.waitForLine(containing: prefix) else {
                server.tearDown()
                throw FixtureError("server did not announce its metrics address: \(server.log)")
            }
            metricsURL = String(line.dropFirst(prefix.count))
        }

        func tearDown() { server.tearDown() }

        func withClient<T: Sendable>(_ body: @Sendable (Bpfman_V1_Bpfman.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
            try await server.withClient(body)
        }

        /// Every sample of one scrape, as `prometheus_client` parsed it.
        func scrape() throws -> Scrape { try MetricsTests.scrape(metricsURL) }
    }

    /// Every sample of one scrape of `metricsURL`, as `prometheus_client` parsed it.
    static func scrape(_ metricsURL: String) throws -> Scrape {
        let script = """
            import json, sys, urllib.request
            from prometheus_client.parser import text_string_to_metric_families
            response = urllib.request.urlopen(sys.argv[1])
            families = text_string_to_metric_families(response.read().decode())
            samples = [{"name": s.name, "labels": s.labels, "value": s.value, "type": f.type} for f in families for s in f.samples]
            print(json.dumps({"content_type": response.headers["Content-Type"], "samples": samples}))
            """
        let result = Command.run("/usr/bin/python3", ["-c", script, metricsURL])
        guard result.status == 0, let samples = result.json["samples"] as? [[String: Any]] else {
            throw FixtureError("scrape of \(metricsURL) failed: \(result.stderr)")
        }
        return Scrape(contentType: result.json["content_type"] as? String ?? "", samples: samples.map {
            Sample(name: $0["name"] as? String ?? "", labels: $0["labels"] as? [String: String] ?? [:],
                   value: $0["value"] as? Double ?? .nan, type: $0["type"] as? String ?? "")
        })
    }

    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
        var type: String
    }

    struct Scrape {
        var contentType: String
        var samples: [Sample]

        /// The samples named `name` whose labels include `labels`.
        func matching(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
            samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        }
    }

    @Test("a uprobe's run count rises by exactly the probed calls; the reference's gauges describe its program, maps and link")
    func uprobeRunCount() async throws {
        let served = try Served()
        defer { served.tearDown() }
        let calls = 7
        // A CLI load killed after pinning leaves an orphan the server's first write repairs.
        let killed = served.bpfman.bpfman(["program", "load", "file", TestEnvironment.object("tracepoint_counter"), "--programs", "tracepoint:tracepoint_counter"],
                                          environment: ["BPFMAN_FAILPOINTS": "kill-after-pin"])
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        let (programID, linkID) = try await served.withClient { client -> (UInt32, UInt32) in
            let loaded = try await client.load(ServerTests.loadRequest("uprobe_counter", "uprobe_counter", .uprobe))
            let programID = try #require(loaded.programs.first).kernelInfo.id
            var attach = Bpfman_V1_AttachRequest()
            attach.id = programID
            var uprobe = Bpfman_V1_UprobeAttachInfo()
            uprobe.target = TestEnvironment.probeTarget
            uprobe.fnName = "bpfman_test_probe"
            attach.attach.uprobeAttachInfo = uprobe
            let linkID = try await client.attach(attach).linkID
            var missing = Bpfman_V1_GetRequest()
            missing.id = UInt32.max
            await #expect(throws: RPCError.self) { _ = try await client.get(missing) }
            return (programID, linkID)
        }
        let id = String(programID)

        let before = try served.scrape()
        #expect(before.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let runCount = "bpf_program_run_count_total"
        let countBefore = try #require(before.matching(runCount, ["id": id]).first)
        #expect(countBefore.labels == ["id": id, "name": "uprobe_counter"])
        #expect(countBefore.type == "counter")
        let run = Command.run(TestEnvironment.probeTarget, [String(calls)], stdin: "x")
        #expect(run.status == 0)
        let after = try served.scrape()
        // Read before the CLI below, whose exit checkpoints the database.
        let database = try FileManager.default.attributesOfItem(atPath: served.bpfman.runtimeDirectory + "/db/store.db")
        #expect(after.matching("bpfman_store_size_bytes").first?.value == Double((database[.size] as? NSNumber)?.int64Value ?? -1))
        let countAfter = try #require(after.matching(runCount, ["id": id]).first)
        #expect(countAfter.value - countBefore.value == Double(calls))
        #expect(try served.bpfman.counter(program: programID, map: "up_count") == UInt64(calls))
        #expect(try #require(after.matching("bpf_program_run_time_seconds_total", ["id": id]).first).value > 0)

        // bpf_program_info: the reference's labels, with the values the CLI shows for the same program.
        let shown = served.bpfman.bpfman(["program", "get", id, "-o", "json"]).json
        let kernel = try #require((shown["status"] as? [String: Any])?["kernel"] as? [String: Any])
        let mapIDs = try #require(kernel["map_ids"] as? [Int])
        let loadedAt = try #require(kernel["loaded_at"] as? String) // 2026-11-25T22:06:21Z
        let info = after.matching("bpf_program_info", ["id": id])
        #expect(info.count == 1)
        #expect(info.first?.value == 1)
        #expect(info.first?.labels == [
            "id": id, "name": "uprobe_counter", "type": "probe", "tag": kernel["tag"] as? String ?? "?", "gpl_compatible": "true",
            "map_ids": "[" + mapIDs.map(String.init).joined(separator: ", ") + "]",
            "load_time": loadedAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""),
        ])
        let counter = try #require(mapIDs.compactMap { after.matching("bpf_map_info", ["id": String($0)]).first }
            .first { $0.labels["name"] == "up_count" })
        #expect(counter.labels["type"] == "array")
        #expect(counter.labels["key_size"] == "4" && counter.labels["value_size"] == "8")
        let links = after.matching("bpf_link_info", ["prog_id": id])
        #expect(links.count == 1)
        #expect(links.first?.labels["type"] == "7") // BPF_LINK_TYPE_PERF_EVENT

        // The server's own measurements.
        #expect(after.matching("bpfman_grpc_request_duration_seconds_count", ["method": "Load", "code": "OK"]).first?.value == 1)
        #expect(after.matching("bpfman_grpc_request_duration_seconds_count", ["method": "Attach", "code": "OK"]).first?.value == 1)
        #expect(after.matching("bpfman_grpc_request_duration_seconds_count", ["method": "Get", "code": "NOT_FOUND"]).first?.value == 1)
        #expect(after.matching("bpfman_attach_duration_seconds_count", ["type": "uprobe"]).first?.value == 1)
        #expect(after.matching("bpfman_attach_duration_seconds_bucket", ["type": "uprobe", "le": "+Inf"]).first?.value == 1)
        #expect(after.matching("bpfman_writer_lock_wait_seconds_count", ["outcome": "acquired"]).first?.value == 2, "Load and Attach")
        let repairs = after.matching("bpfman_repair_actions_total")
        #expect(repairs.first { $0.labels == ["action": "remove orphan program pin", "result": "done"] }?.value == 1, "\(repairs.map(\.labels))")
        #expect(repairs.allSatisfy { $0.labels["result"] == "done" && $0.type == "counter" })

        try await served.withClient { client in
            var detach = Bpfman_V1_DetachRequest()
            detach.linkID = linkID
            _ = try await client.detach(detach)
            var unload = Bpfman_V1_UnloadRequest()
            unload.id = programID
            _ = try await client.unload(unload)
        }
        let gone = try served.scrape()
        #expect(gone.matching("bpf_program_info", ["id": id]).isEmpty)
        #expect(gone.matching(runCount, ["id": id]).isEmpty)
        #expect(gone.matching("bpfman_detach_duration_seconds_count", ["type": "uprobe"]).first?.value == 1)
    }

    @Test("each container link names its container, pod and namespace, for two containers of two pods", .tags(.containers))
    func containerLabels() async throws {
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let cri = try CRISandbox(rootfs: rootfs)
        defer { cri.tearDown() }
        let served = try Served()
        defer { served.tearDown() }
        let web = try await cri.runPod(name: "web", namespace: "shop", labels: ["app": "nginx"], containers: [
            .init(name: "frontend", command: ["/usr/bin/probe_target", "1000", "malloc", "/tmp/never"])])
        let api = try await cri.runPod(name: "api", namespace: "shop", labels: ["app": "nginx"], containers: [
            .init(name: "backend", command: ["/usr/bin/probe_target", "1000", "malloc", "/tmp/never"])])
        let id = try served.bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let attach = served.bpfman.bpfman(["link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc",
                                           "--containers-namespace", "shop", "--containers-pod-selector", "app=nginx",
                                           "--runtime-endpoint", "unix://" + cri.socket, "-o", "json"])
        #expect(attach.status == 0, "\(attach.stderr)")
        let links = try #require(attach.json["links"] as? [[String: Any]])
        var linkOf: [Int: String] = [:] // container pid -> link id
        for link in links {
            let record = link["record"] as? [String: Any]
            let pid = (record?["details"] as? [String: Any])?["container_pid"] as? Int
            if let pid, let linkID = record?["id"] as? Int { linkOf[pid] = String(linkID) }
        }
        var expected: Set<[String: String]> = []
        for (pod, container, containerID) in [("web", "frontend", try #require(web["frontend"])), ("api", "backend", try #require(api["backend"]))] {
            let pid = try await cri.pid(of: containerID)
            expected.insert(["link_id": try #require(linkOf[Int(pid)]), "prog_id": String(id), "container_id": containerID,
                             "pod": pod, "namespace": "shop", "container_name": container])
        }
        let scraped = try served.scrape().matching("bpfman_container_link_info", ["prog_id": String(id)])
        #expect(Set(scraped.map(\.labels)) == expected)
        #expect(scraped.allSatisfy { $0.value == 1 && $0.type == "gauge" })
    }

    @Test("anything but GET or HEAD of /metrics is refused; a malformed --metrics-address stops serve before it binds")
    func refusals() throws {
        let served = try Served()
        defer { served.tearDown() }
        let base = String(served.metricsURL.dropLast("/metrics".count))
        let script = """
            import sys, urllib.request, urllib.error
            for url, method in [(sys.argv[1] + "/other", "GET"), (sys.argv[1] + "/metrics", "POST"), (sys.argv[1] + "/metrics", "HEAD")]:
                try:
                    response = urllib.request.urlopen(urllib.request.Request(url, method=method, data=b"" if method == "POST" else None))
                    print(response.status, len(response.read()))
                except urllib.error.HTTPError as error:
                    print(error.code)
            """
        let result = Command.run("/usr/bin/python3", ["-c", script, base])
        #expect(result.stdout == "404\n405\n200 0\n", "\(result.stderr)")

        let bad = served.bpfman.bpfman(["serve", "--socket-path", served.socket + "2", "--metrics-address", "127.0.0.1"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("invalid --metrics-address \"127.0.0.1\": expected HOST:PORT"), "\(bad.stderr)")
    }
}
