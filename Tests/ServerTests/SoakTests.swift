import BpfmanProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import Testing
import TestSupport

/// `bpfman serve` as an operator runs it (issue 17): 16 gRPC clients, four
/// CLI writers (some killed midway by a failpoint), a lock holder and the
/// agent's reconcile loop over churning pods, all at once for
/// `BPFMAN_SOAK_SECONDS` (60 by default).
///
/// Phases are joined, never raced: a warm-up, the steady phase measured
/// from its start, then a drain; memory is read at the two idle points
/// between phases, and latency under the lock is classified by the lock
/// holder's own epoch, read before and after each call. The container
/// runtime's pod starts and removals (runc and containerd take a second of
/// CPU on two cores) take turns with the lock holds, so the List figure
/// under the lock measures bpfman's readers, not the runtime's bursts.
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct SoakTests {
    static let node = "soak-node"
    static let resource = "/apis/bpfman.io/v1alpha1/uprobeprograms"

    /// What the workers saw.
    final class Record: Sendable {
        /// Calls by "Method CODE".
        let outcomes = Mutex<[String: Int]>([:])
        /// Failures without a gRPC status.
        let unanswered = Mutex<[String]>([])
        /// List latencies in seconds, all, and those wholly inside one lock hold.
        let lists = Mutex<[Double]>([])
        let listsUnderLock = Mutex<[Double]>([])
        /// Holds of the writer lock: whether one is reserved or on, how many
        /// began, and whether the runtime is starting or removing a pod.
        let hold = Mutex((reserved: false, held: false, epoch: 0, runtimeBusy: false))
        /// CLI loads killed by the failpoint, CLI failures, CLI stderr.
        let kills = Mutex(0)
        let cliFailures = Mutex<[String]>([])
        let cliLogs = Mutex<[String]>([])
        /// Pods the agent followed in and out.
        let churned = Mutex(0)
        let stop = Atomic(false)

        func count(_ method: String, _ code: String) { outcomes.withLock { $0[method + " " + code, default: 0] += 1 } }
    }

    /// Runs one call, recording its status; nil when it failed.
    static func call<T>(_ record: Record, _ method: String, _ body: () async throws -> T) async -> T? {
        do {
            let value = try await body()
            record.count(method, "OK")
            return value
        } catch let error as RPCError {
            record.count(method, "\(error.code)")
            return nil
        } catch {
            record.unanswered.withLock { $0.append("\(method): \(error)") }
            return nil
        }
    }

    static var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = .seconds(5)
        return options
    }

    /// One client's round: List (timed), Get, then, for a writing client,
    /// Load, Attach, Detach, Unload of its own program. A program whose
    /// Unload failed is unloaded again until the server answers OK or
    /// NOT_FOUND.
    static func clientRound(_ client: Bpfman_V1_Bpfman.Client<HTTP2ClientTransport.Posix>, _ record: Record, write: Bool) async {
        let before = record.hold.withLock { $0 }
        let start = ContinuousClock.now
        var list = Bpfman_V1_ListRequest()
        list.bpfmanProgramsOnly = true
        let listed = await call(record, "List") { try await client.list(list, options: options) }
        let elapsed = start.duration(to: .now)
        let after = record.hold.withLock { $0 }
        if listed != nil {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            record.lists.withLock { $0.append(seconds) }
            if before.held && after.held && before.epoch == after.epoch { record.listsUnderLock.withLock { $0.append(seconds) } }
        }
        if let some = listed?.results.randomElement() {
            var get = Bpfman_V1_GetRequest()
            get.id = some.kernelInfo.id
            _ = await call(record, "Get") { try await client.get(get, options: options) }
        }
        guard write, let loaded = await call(record, "Load", {
            try await client.load(ServerTests.loadRequest("tracepoint_counter", "tracepoint_counter", .tracepoint), options: options)
        }), let id = loaded.programs.first?.kernelInfo.id else { return }
        var attach = Bpfman_V1_AttachRequest()
        attach.id = id
        var info = Bpfman_V1_TracepointAttachInfo()
        info.tracepoint = "syscalls/sys_enter_getppid"
        attach.attach.tracepointAttachInfo = info
        if let link = await call(record, "Attach", { try await client.attach(attach, options: options) })?.linkID {
            var detach = Bpfman_V1_DetachRequest()
            detach.linkID = link
            _ = await call(record, "Detach") { try await client.detach(detach, options: options) }
        }
        var unload = Bpfman_V1_UnloadRequest()
        unload.id = id
        while true {
            do {
                _ = try await client.unload(unload, options: options)
                record.count("Unload", "OK")
                return
            } catch let error as RPCError {
                record.count("Unload", "\(error.code)")
                if error.code == .notFound { return }
            } catch {
                record.unanswered.withLock { $0.append("Unload: \(error)") }
                return
            }
        }
    }

    /// One CLI writer's round: load, attach, unload; the load of every
    /// fourth round is killed after pinning, before its record is written.
    static func cliRound(_ bpfman: BpfmanFixture, _ record: Record, round: Int) {
        let kill = round % 4 == 3
        let load = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("two_maps"), "--programs", "tracepoint:two_maps",
                                  "-o", "json", "--lock-timeout", "60s", "--log", "info"],
                                 environment: kill ? ["BPFMAN_FAILPOINTS": "kill-after-pin"] : [:])
        record.cliLogs.withLock { $0.append(load.stderr) }
        if kill {
            if load.status == SIGKILL { record.kills.withLock { $0 += 1 } } else { record.cliFailures.withLock { $0.append("not killed (\(load.status)): \(load.stderr)") } }
            return
        }
        guard load.status == 0, let id = ((load.json["programs"] as? [[String: Any]])?.first?["record"] as? [String: Any])?["program_id"] as? Int else {
            record.cliFailures.withLock { $0.append("load: \(load.stderr)") }
            return
        }
        for arguments in [["link", "attach", "tracepoint", String(id), "syscalls/sys_enter_getppid"], ["program", "unload", String(id)]] {
            let result = bpfman.bpfman(arguments + ["--lock-timeout", "60s", "--log", "info"])
            record.cliLogs.withLock { $0.append(result.stderr) }
            if result.status != 0 { record.cliFailures.withLock { $0.append("\(arguments[0]) \(arguments[1]): \(result.stderr)") } }
        }
    }

    /// Holds the writer lock, as a long CLI write would, for 1.5 s of every
    /// 4, each time once the runtime is between pods.
    static func holdLockRepeatedly(_ path: String, _ record: Record) {
        while !record.stop.load(ordering: .relaxed) {
            usleep(2_500_000)
            while !record.hold.withLock({ state in
                guard !state.runtimeBusy else { return false }
                state.reserved = true
                return true
            }) { usleep(50_000) }
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            if fd >= 0, flock(fd, LOCK_EX) == 0 {
                record.hold.withLock { $0.held = true; $0.epoch += 1 }
                usleep(1_500_000)
                record.hold.withLock { $0.held = false }
            }
            if fd >= 0 { close(fd) }
            record.hold.withLock { $0.reserved = false }
        }
    }

    /// Runs `operation` from a thread outside Swift concurrency, waiting for it.
    static func blocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await operation()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    /// Runs `body`, a pod start or removal, between lock holds.
    static func runtimeTurn<T>(_ record: Record, _ body: () -> T) -> T {
        while !record.hold.withLock({ state in
            guard !state.reserved else { return false }
            state.runtimeBusy = true
            return true
        }) { usleep(50_000) }
        defer { record.hold.withLock { $0.runtimeBusy = false } }
        return body()
    }

    /// The agent's report for the soak's resource.
    static func report(_ api: FakeAPIServer) -> [String: Any] {
        let object = api.request("GET", "\(resource)/soak").1
        return ((object["status"] as? [String: Any])?["nodes"] as? [String: Any])?[node] as? [String: Any] ?? [:]
    }

    static func attachedCount(_ api: FakeAPIServer) -> Int {
        (report(api)["links"] as? [[String: Any]] ?? []).filter { $0["state"] as? String == "Attached" }.count
    }

    /// Polls `condition` every quarter second (each poll of the API
    /// server is a curl process; the soak's CPU belongs to bpfman) for at
    /// most 60 s, a safety net.
    static func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<240 {
            if condition() { return true }
            usleep(250_000)
        }
        return condition()
    }

    static func rss(of pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    @Test("16 clients, 4 CLI writers, a lock holder and the agent for a minute: every call answers, List stays fast under the lock, repairs are logged, state is consistent, memory stays flat")
    func soak() async throws {
        let seconds = Double(ProcessInfo.processInfo.environment["BPFMAN_SOAK_SECONDS"] ?? "60") ?? 60
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let cri = try CRISandbox(rootfs: rootfs)
        defer { cri.tearDown() }
        let api = try FakeAPIServer()
        defer { api.tearDown() }
        let server = try ServeProcess(arguments: ["--log", "info"])
        defer { server.tearDown() }
        let bpfman = server.bpfman
        let agent = try AgentProcess(node: Self.node, api: api, bpfman: bpfman, cri: cri, cache: server.imageCache + "-agent",
                                     arguments: ["--metrics-address", "127.0.0.1:0"])
        defer {
            agent.stop()
            try? FileManager.default.removeItem(atPath: agent.log)
        }

        // The agent's work: a UprobeProgram on the workers of app=web pods.
        api.request("POST", "/api/v1/nodes", json: ["apiVersion": "v1", "kind": "Node", "metadata": ["name": Self.node]])
        @Sendable func worker(_ calls: Int) -> [CRISandbox.ContainerSpec] {
            [.init(name: "worker", command: ["/usr/bin/probe_target", String(calls), "malloc", "/tmp/never"])]
        }
        @Sendable func register(_ name: String) {
            api.request("POST", "/api/v1/namespaces/shop/pods", json: [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": name, "namespace": "shop", "labels": ["app": "web"]],
                "spec": ["nodeName": Self.node, "containers": [["name": "worker", "image": "bpfman-test"]]],
            ])
        }
        _ = try await cri.runPod(name: "web", namespace: "shop", labels: ["app": "web"], containers: worker(1000))
        register("web")
        let created = api.request("POST", Self.resource, json: [
            "apiVersion": "bpfman.io/v1alpha1", "kind": "UprobeProgram", "metadata": ["name": "soak"],
            "spec": ["nodeselector": [:], "bpffunctionname": "uprobe_counter", "func_name": "malloc", "target": "libc",
                     "bytecode": ["path": TestEnvironment.object("uprobe_counter")],
                     "containers": ["namespace": "shop", "pods": ["matchLabels": ["app": "web"]], "containernames": ["worker"]]],
        ])
        #expect(created.0 == 201, "\(created.1)")
        #expect(Self.waitFor { Self.attachedCount(api) == 1 }, "agent: \(agent.output)")

        let record = Record()
        let lockFile = bpfman.runtimeDirectory + "/.lock"
        // Everything but the warm-up runs until `stop`; `phase` runs one
        // phase's workers and joins them.
        func phase(_ duration: Double, cli: Bool) async throws {
            record.stop.store(false, ordering: .relaxed)
            let end = Date().addingTimeInterval(duration)
            let done = DispatchGroup()
            if cli {
                for writer in 0..<4 {
                    DispatchQueue.global().async(group: done) {
                        var round = writer
                        while !record.stop.load(ordering: .relaxed) { Self.cliRound(bpfman, record, round: round); round += 1 }
                    }
                }
                DispatchQueue.global().async(group: done) { Self.holdLockRepeatedly(lockFile, record) }
                DispatchQueue.global().async(group: done) {
                    var index = 0
                    while !record.stop.load(ordering: .relaxed) {
                        index += 1
                        let name = "churn-\(index)"
                        let pod = Self.runtimeTurn(record) {
                            Self.blocking { try? await cri.runPod(name: name, namespace: "shop", labels: ["app": "web"], containers: worker(1000)) }
                        }
                        guard let id = pod?["worker"] else { break }
                        register(name)
                        let cameIn = Self.waitFor { Self.attachedCount(api) == 2 }
                        Self.runtimeTurn(record) { Self.blocking { try? await cri.removePod(of: id) } }
                        api.request("DELETE", "/api/v1/namespaces/shop/pods/\(name)")
                        if cameIn && Self.waitFor({ Self.attachedCount(api) == 1 }) { record.churned.withLock { $0 += 1 } }
                    }
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<16 {
                    // Four clients only read, as dashboards and controllers do.
                    let reader = index < 4
                    group.addTask {
                        try await server.withClient { client in
                            repeat {
                                await Self.clientRound(client, record, write: !reader)
                                // Readers poll as dashboards do, not in a closed loop.
                                if reader { try await Task.sleep(for: .milliseconds(50)) }
                            } while Date() < end
                        }
                    }
                }
                try await group.waitForAll()
            }
            record.stop.store(true, ordering: .relaxed)
            await withCheckedContinuation { continuation in done.notify(queue: .global()) { continuation.resume() } }
        }

        // Warm-up: the clients alone, a few seconds.
        try await phase(min(5, seconds / 6), cli: false)
        let rssStart = Self.rss(of: server.process.processIdentifier)
        record.lists.withLock { $0 = [] }
        record.outcomes.withLock { $0 = [:] }
        try await phase(seconds, cli: true)
        let rssEnd = Self.rss(of: server.process.processIdentifier)

        let outcomes = record.outcomes.withLock { $0 }
        let lists = record.lists.withLock { $0 }
        let underLock = record.listsUnderLock.withLock { $0 }
        let kills = record.kills.withLock { $0 }
        print("soak: \(Int(seconds)) s; calls \(outcomes.values.reduce(0, +)) \(outcomes.sorted { $0.key < $1.key }); "
              + "List p50 \(Self.percentile(lists, 0.5) * 1000) ms p99 \(Self.percentile(lists, 0.99) * 1000) ms over \(lists.count); "
              + "under the lock p50 \(Self.percentile(underLock, 0.5) * 1000) ms p99 \(Self.percentile(underLock, 0.99) * 1000) ms max \((underLock.max() ?? 0) * 1000) ms over \(underLock.count); "
              + "serve RSS \(rssStart) -> \(rssEnd) KiB; CLI loads killed \(kills); pods churned \(record.churned.withLock { $0 })")

        #expect(record.unanswered.withLock { $0 }.isEmpty, "\(record.unanswered.withLock { Array($0.prefix(5)) })")
        #expect(record.cliFailures.withLock { $0 }.isEmpty, "\(record.cliFailures.withLock { Array($0.prefix(5)) })")
        #expect(outcomes["List OK", default: 0] > 0 && outcomes["Load OK", default: 0] > 0)
        #expect(!underLock.isEmpty, "some Lists ran wholly inside a lock hold")
        #expect(Self.percentile(underLock, 0.99) < 0.1, "List p99 under the lock")
        #expect(Double(rssEnd) <= Double(rssStart) * 1.1, "serve RSS \(rssStart) -> \(rssEnd) KiB")
        #expect(kills > 0 && record.churned.withLock { $0 } > 0)

        // The agent still reports its one pod; a writer repairs whatever the
        // last kill left, then every kill's orphan pin shows in a log.
        #expect(Self.waitFor { Self.attachedCount(api) == 1 }, "\(Self.report(api))")
        let repairRun = bpfman.bpfman(["program", "unload", "--ignore-missing", "4294967295", "--log", "info"])
        #expect(repairRun.status == 0, "\(repairRun.stderr)")
        let logs = record.cliLogs.withLock { $0 } + [repairRun.stderr, server.log, agent.output]
        let repairs = logs.map { $0.components(separatedBy: "removing orphan program pin").count - 1 }.reduce(0, +)
        #expect(repairs == kills, "one repaired pin per killed load")

        // The agent's own metrics: its program, its reconciles, its writes.
        let prefix = "serving metrics on "
        let announced = try #require(agent.waitForLine(containing: prefix), "\(agent.output)")
        let agentMetrics = try MetricsTests.scrape(String(announced[announced.range(of: prefix)!.upperBound...]))
        let agentProgram = try #require(Self.report(api)["program_id"] as? Int, "\(Self.report(api))")
        #expect(agentMetrics.matching("bpf_program_info", ["id": String(agentProgram)]).first?.labels["name"] == "uprobe_counter")
        #expect(agentMetrics.matching("bpfman_container_link_info", ["prog_id": String(agentProgram), "pod": "web", "namespace": "shop"]).count == 1)
        #expect((agentMetrics.matching("bpfman_agent_reconciles_total", ["result": "ok"]).first?.value ?? 0) > 0)
        #expect((agentMetrics.matching("bpfman_agent_reconcile_pass_duration_seconds_count").first?.value ?? 0) > 0)
        #expect((agentMetrics.matching("bpfman_writer_lock_wait_seconds_count", ["outcome": "acquired"]).first?.value ?? 0) > 0)

        // Deleting the resource takes the agent's program; nothing else remains.
        api.request("DELETE", "\(Self.resource)/soak")
        #expect(Self.waitFor { api.request("GET", "\(Self.resource)/soak").0 == 404 }, "\(agent.output)")
        #expect(try bpfman.inconsistencies() == [])
        #expect(bpfman.programIDs() == [], "no change landed unseen: \(bpfman.bpfman(["program", "list"]).stdout) \(outcomes)")
    }
}
