import BpfmanProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import Testing
import TestSupport

/// `bpfman serve` driven by a client generated from the same .proto (issue 6).
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct ServerTests {
    static func loadRequest(_ object: String, _ name: String, _ type: Bpfman_V1_BpfmanProgramType) -> Bpfman_V1_LoadRequest {
        var request = Bpfman_V1_LoadRequest()
        var location = Bpfman_V1_BytecodeLocation()
        location.file = TestEnvironment.object(object)
        request.bytecode = location
        var info = Bpfman_V1_LoadInfo()
        info.name = name
        info.programType = type
        request.info = [info]
        return request
    }

    /// Counts shared by concurrent client tasks.
    final class Tally: Sendable {
        let failures = Mutex<[String]>([])
        let cycles = Mutex(0)
    }

    /// The status code a call failed with; nil when it succeeded.
    static func code(_ body: () async throws -> Void) async -> RPCError.Code? {
        await failure(body)?.code
    }

    /// The status a call failed with; nil when it succeeded. Any other
    /// error is an `UNKNOWN` status.
    static func failure(_ body: () async throws -> Void) async -> RPCError? {
        do { try await body(); return nil } catch let error as RPCError {
            if ProcessInfo.processInfo.environment["BPFMAN_TEST_VERBOSE"] != nil { print("rpc error: \(error)") }
            return error
        } catch { return RPCError(code: .unknown, message: "\(error)") }
    }

    @Test("the full cycle for uprobe (host and container), tracepoint and TCX matches the CLI and the kernel")
    func fullCycle() async throws {
        let served = try ServeProcess()
        defer { served.tearDown() }
        let veth = try VethPair()
        defer { veth.tearDown() }
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let container = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "12", "malloc", "/tmp/go"])
        defer { container.stop() }

        let ids = try await served.withClient { client -> [UInt32] in
            let uprobe = try await client.load(Self.loadRequest("uprobe_counter", "uprobe_counter", .uprobe))
            let programID = try #require(uprobe.programs.first).kernelInfo.id
            var attach = Bpfman_V1_AttachRequest()
            attach.id = programID
            var uprobeInfo = Bpfman_V1_UprobeAttachInfo()
            uprobeInfo.target = TestEnvironment.probeTarget
            uprobeInfo.fnName = "bpfman_test_probe"
            attach.attach.uprobeAttachInfo = uprobeInfo
            let hostLink = try await client.attach(attach).linkID

            let containerProgram = try await client.load(Self.loadRequest("uprobe_counter", "uprobe_counter", .uprobe)).programs[0].kernelInfo.id
            var containerInfo = Bpfman_V1_UprobeAttachInfo()
            containerInfo.target = "libc"
            containerInfo.fnName = "malloc"
            containerInfo.containerPid = container.pid
            containerInfo.pid = container.pid
            attach.id = containerProgram
            attach.attach.uprobeAttachInfo = containerInfo
            let containerLink = try await client.attach(attach).linkID

            let tracepoint = try await client.load(Self.loadRequest("tracepoint_counter", "tracepoint_counter", .tracepoint)).programs[0].kernelInfo.id
            var tracepointInfo = Bpfman_V1_TracepointAttachInfo()
            tracepointInfo.tracepoint = "syscalls/sys_enter_getppid"
            attach.id = tracepoint
            attach.attach.tracepointAttachInfo = tracepointInfo
            let tracepointLink = try await client.attach(attach).linkID

            let tcx = try await client.load(Self.loadRequest("tc_counter", "tc_counter", .tcx)).programs[0].kernelInfo.id
            var tcxInfo = Bpfman_V1_TCXAttachInfo()
            tcxInfo.iface = veth.receiverInterface
            tcxInfo.direction = "ingress"
            tcxInfo.priority = 50
            tcxInfo.netns = veth.receiverPath
            attach.id = tcx
            attach.attach.tcxAttachInfo = tcxInfo
            let tcxLink = try await client.attach(attach).linkID

            var get = Bpfman_V1_GetRequest()
            get.id = programID
            let got = try await client.get(get)
            #expect(got.info.name == "uprobe_counter")
            #expect(got.info.links == [hostLink])
            #expect(got.kernelInfo.id == programID)

            var list = Bpfman_V1_ListRequest()
            list.bpfmanProgramsOnly = true
            let listed = try await client.list(list).results.map(\.kernelInfo.id).sorted()
            #expect(listed == [programID, containerProgram, tracepoint, tcx].sorted())
            return [programID, containerProgram, tracepoint, tcx, UInt32(hostLink), UInt32(containerLink), UInt32(tracepointLink), UInt32(tcxLink)]
        }
        let (programID, containerProgram, tcx) = (ids[0], ids[1], ids[3])

        // The kernel and the CLI see the same state.
        let cli = served.bpfman.bpfman(["program", "get", String(programID), "-o", "json"])
        #expect((cli.json["record"] as? [String: Any])?["program_id"] as? Int == Int(programID))
        let links = served.bpfman.bpfman(["link", "list", "-o", "json"]).json["links"] as? [[String: Any]] ?? []
        #expect(Set(links.compactMap { $0["id"] as? Int }) == Set(ids[4...].map(Int.init)))
        Command.run(TestEnvironment.probeTarget, ["9"], stdin: "x")
        #expect(try served.bpfman.counter(program: programID, map: "up_count") == 9)
        rootfs.touch("/tmp/go")
        #expect(rootfs.waitFor("/tmp/go.done"))
        #expect(try served.bpfman.counter(program: containerProgram, map: "up_count") == 12)
        veth.ping(4)
        #expect(try served.bpfman.counter(program: tcx, map: "tc_count") == 4)

        try await served.withClient { client in
            for link in ids[4...] {
                var detach = Bpfman_V1_DetachRequest()
                detach.linkID = link
                _ = try await client.detach(detach)
            }
            for program in ids[..<4] {
                var unload = Bpfman_V1_UnloadRequest()
                unload.id = program
                _ = try await client.unload(unload)
            }
        }
        #expect(served.bpfman.programIDs().isEmpty)
        let fs = try FileManager.default.contentsOfDirectory(atPath: served.bpfman.runtimeDirectory + "/fs")
        #expect(fs.filter { !$0.hasSuffix(".debug") } == ["maps"], "no pins left: \(fs)")
        #expect(served.stop(), "SIGTERM removes the socket")
    }

    @Test("16 concurrent clients loop load/attach/detach/unload; the state ends consistent")
    func concurrentClients() async throws {
        let served = try ServeProcess()
        defer { served.tearDown() }
        let seconds = Double(ProcessInfo.processInfo.environment["BPFMAN_STRESS_SECONDS"] ?? "30") ?? 30
        let deadline = Date().addingTimeInterval(seconds)
        let tally = Tally()
        try await served.withClient { client in
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        while Date() < deadline {
                            do {
                                let loaded = try await client.load(Self.loadRequest("tracepoint_counter", "tracepoint_counter", .tracepoint))
                                let id = loaded.programs[0].kernelInfo.id
                                var attach = Bpfman_V1_AttachRequest()
                                attach.id = id
                                var info = Bpfman_V1_TracepointAttachInfo()
                                info.tracepoint = "syscalls/sys_enter_getppid"
                                attach.attach.tracepointAttachInfo = info
                                let link = try await client.attach(attach).linkID
                                var detach = Bpfman_V1_DetachRequest()
                                detach.linkID = link
                                _ = try await client.detach(detach)
                                var unload = Bpfman_V1_UnloadRequest()
                                unload.id = id
                                _ = try await client.unload(unload)
                                tally.cycles.withLock { $0 += 1 }
                            } catch {
                                tally.failures.withLock { $0.append("\(error)") }
                            }
                        }
                    }
                }
            }
        }
        #expect(tally.failures.withLock { $0 }.isEmpty, "\(tally.failures.withLock { Array($0.prefix(3)) })")
        #expect(tally.cycles.withLock { $0 } >= 16)
        #expect(served.bpfman.programIDs().isEmpty)
        let fs = try FileManager.default.contentsOfDirectory(atPath: served.bpfman.runtimeDirectory + "/fs")
        #expect(fs.filter { !$0.hasSuffix(".debug") } == ["maps"], "no leaked pins: \(fs)")
    }

    @Test("Load from an OCI image pulls through the cache and records the image source; PullBytecode fills the cache")
    func loadFromImage() async throws {
        let served = try ServeProcess()
        let registry = try RegistrySandbox()
        defer { served.tearDown(); registry.tearDown() }
        let reference = registry.reference("grpc/uprobe")
        let build = served.bpfman.bpfman(["image", "build", reference, TestEnvironment.object("uprobe_counter")])
        try #require(build.status == 0, "\(build.stderr)")
        let digest = build.stdout.components(separatedBy: "@").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let programID = try await served.withClient { client -> UInt32 in
            var pull = Bpfman_V1_PullBytecodeRequest()
            pull.image.url = reference
            pull.image.imagePullPolicy = 0
            _ = try await client.pullBytecode(pull)
            registry.stopServer()
            var request = Bpfman_V1_LoadRequest()
            var image = Bpfman_V1_BytecodeImage()
            image.url = reference
            image.imagePullPolicy = 2
            request.bytecode.image = image
            var info = Bpfman_V1_LoadInfo()
            info.name = "uprobe_counter"
            info.programType = .uprobe
            request.info = [info]
            let response = try await client.load(request)
            let loaded = try #require(response.programs.first)
            #expect(loaded.info.bytecode.image.url == reference)
            #expect(loaded.info.bytecode.image.imagePullPolicy == 2)
            return loaded.kernelInfo.id
        }
        let record = served.bpfman.bpfman(["program", "get", String(programID), "-o", "json"]).json["record"] as? [String: Any]
        #expect((record?["load"] as? [String: Any])?["image_source"] as? [String: String]
                == ["url": reference, "digest": digest, "pull_policy": "Never"])
    }

    @Test("malformed requests get InvalidArgument or NotFound and the server stays up")
    func malformed() async throws {
        let served = try ServeProcess()
        defer { served.tearDown() }
        try await served.withClient { client in
            var unknownType = Self.loadRequest("uprobe_counter", "uprobe_counter", .uprobe)
            unknownType.info[0].programType = .UNRECOGNIZED(99)
            #expect(await Self.code { _ = try await client.load(unknownType) } == .invalidArgument)
            var noLocation = Self.loadRequest("uprobe_counter", "uprobe_counter", .uprobe)
            noLocation.clearBytecode()
            #expect(await Self.code { _ = try await client.load(noLocation) } == .invalidArgument)
            var hugePath = Self.loadRequest("uprobe_counter", "uprobe_counter", .uprobe)
            hugePath.bytecode.file = "/" + String(repeating: "x", count: 1 << 20)
            let hugeCode = await Self.code { _ = try await client.load(hugePath) }
            #expect(hugeCode == .notFound || hugeCode == .invalidArgument)
            var hugeName = Self.loadRequest("uprobe_counter", String(repeating: "n", count: 100_000), .uprobe)
            hugeName.metadata = ["k": String(repeating: "v", count: 100_000)]
            #expect(await Self.code { _ = try await client.load(hugeName) } == .notFound)
            var attach = Bpfman_V1_AttachRequest()
            attach.id = 1
            #expect(await Self.code { _ = try await client.attach(attach) } == .invalidArgument)
            attach.id = 999_999
            var tracepoint = Bpfman_V1_TracepointAttachInfo()
            tracepoint.tracepoint = "syscalls/sys_enter_getppid"
            attach.attach.tracepointAttachInfo = tracepoint
            #expect(await Self.code { _ = try await client.attach(attach) } == .notFound)
            tracepoint.tracepoint = "not-a-tracepoint"
            attach.attach.tracepointAttachInfo = tracepoint
            #expect(await Self.code { _ = try await client.attach(attach) } == .invalidArgument)
            var get = Bpfman_V1_GetRequest()
            get.id = 999_999
            #expect(await Self.code { _ = try await client.get(get) } == .notFound)
            var detach = Bpfman_V1_DetachRequest()
            detach.linkID = 424_242
            #expect(await Self.code { _ = try await client.detach(detach) } == .notFound)
            var unload = Bpfman_V1_UnloadRequest()
            unload.id = 999_999
            #expect(await Self.code { _ = try await client.unload(unload) } == .notFound)
            var pull = Bpfman_V1_PullBytecodeRequest()
            pull.image.url = "127.0.0.1:1/nothing-listens:here"
            #expect(await Self.code { _ = try await client.pullBytecode(pull) } == .unavailable)
            pull.image.url = "UPPER/case"
            #expect(await Self.code { _ = try await client.pullBytecode(pull) } == .invalidArgument)
            // Still serving.
            _ = try await client.list(Bpfman_V1_ListRequest())
        }
        #expect(served.bpfman.programIDs().isEmpty)
    }
}
