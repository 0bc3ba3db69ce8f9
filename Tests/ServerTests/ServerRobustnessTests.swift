import BpfmanProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
import TestSupport

/// `bpfman serve` against careless and hostile clients (issue 17): calls
/// that can never finish, calls whose deadline passes, features the kernel
/// lacks. Every call answers with a status code; none changes state unseen.
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct ServerRobustnessTests {
    static func load(_ path: String, _ name: String, _ type: Bpfman_V1_BpfmanProgramType) -> Bpfman_V1_LoadRequest {
        var request = ServerTests.loadRequest("tracepoint_counter", name, type)
        request.bytecode.file = path
        return request
    }

    @Test("two Loads naming FIFOs are refused at once, and ListPrograms answers")
    func fifoLoads() async throws {
        let server = try ServeProcess(arguments: ["--log", "info"])
        defer { server.tearDown() }
        let fifos = (0..<2).map { server.bpfman.runtimeDirectory + "-fifo\($0)" }
        for fifo in fifos { #expect(mkfifo(fifo, 0o600) == 0) }
        defer { for fifo in fifos { unlink(fifo) } }
        let codes = try await server.withClient { client in
            try await withThrowingTaskGroup(of: RPCError.Code?.self) { group in
                for fifo in fifos {
                    group.addTask { await ServerTests.code { _ = try await client.load(Self.load(fifo, "tracepoint_counter", .tracepoint)) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(codes == [.invalidArgument, .invalidArgument])
        #expect(try await server.managedProgramCount() == 0)
    }

    @Test("a Load whose deadline passes while a CLI holds the writer lock is cancelled and leaves nothing loaded")
    func deadlineWhileLocked() async throws {
        let server = try ServeProcess(arguments: ["--log", "info"])
        defer { server.tearDown() }
        // Hold the writer lock as a CLI writer would, on its own open file.
        let lockFD = open(server.bpfman.runtimeDirectory + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(lockFD >= 0 && flock(lockFD, LOCK_EX) == 0)
        var locked = true
        defer { if locked { close(lockFD) } }
        let code = try await server.withClient { client in
            await ServerTests.code {
                var options = CallOptions.defaults
                options.timeout = .seconds(1)
                _ = try await client.load(ServerTests.loadRequest("tracepoint_counter", "tracepoint_counter", .tracepoint), options: options)
            }
        }
        #expect(code == .deadlineExceeded || code == .cancelled)
        // The server's worker saw the cancellation while the lock was still
        // held: only then does the lock go.
        #expect(server.waitForLine(containing: "went away while waiting for the writer lock") != nil, "\(server.log)")
        close(lockFD)
        locked = false
        // A later writer takes the lock and repairs; nothing was loaded.
        #expect(server.bpfman.programIDs() == [])
        #expect(try await server.managedProgramCount() == 0)
    }

    @Test("a call needing a kernel feature the host lacks answers FAILED_PRECONDITION naming it")
    func missingFeature() async throws {
        guard !TestEnvironment.kernelHas(.kprobe) else {
            print("skipped: this kernel has kprobes; the guest lane covers the attach itself")
            return
        }
        let server = try ServeProcess(arguments: ["--log", "info"])
        defer { server.tearDown() }
        let failure = try await server.withClient { client -> RPCError? in
            // Refused at load or at attach, whichever step needs the feature.
            let id: UInt32
            do {
                id = try await client.load(Self.load(TestEnvironment.object("kernel_hooks"), "kprobe_counter", .kprobe)).programs[0].kernelInfo.id
            } catch let error as RPCError {
                return error
            }
            var attach = Bpfman_V1_AttachRequest()
            attach.id = id
            var info = Bpfman_V1_KprobeAttachInfo()
            info.fnName = "__x64_sys_getppid"
            attach.attach.kprobeAttachInfo = info
            do {
                _ = try await client.attach(attach)
                return nil
            } catch let error as RPCError {
                return error
            }
        }
        #expect(failure?.code == .failedPrecondition)
        #expect(failure?.message.contains("kernel feature kprobe is not available") == true, "\(String(describing: failure))")
        #expect(failure.map { Array($0.metadata[stringValues: "bpfman-missing-feature"]) } == ["kprobe"], "\(String(describing: failure?.metadata))")
    }

    @Test("a worker that cannot return to its network namespace is ended and replaced; the daemon keeps serving")
    func taintedWorker() async throws {
        let veth = try VethPair()
        defer { veth.tearDown() }
        // The failpoint makes every switch back fail, so the thread really
        // stays in the receiver's namespace.
        let server = try ServeProcess(arguments: ["--log", "info"], environment: ["BPFMAN_FAILPOINTS": "netns-return"])
        defer { server.tearDown() }
        let retired = "ending a worker thread that could not return to its network namespace"
        @Sendable func retirements() -> Int { server.log.components(separatedBy: retired).count - 1 }
        try await server.withClient { client in
            let program = try await client.load(ServerTests.loadRequest("tc_counter", "tc_counter", .tcx)).programs[0].kernelInfo.id
            var attach = Bpfman_V1_AttachRequest()
            attach.id = program
            var info = Bpfman_V1_TCXAttachInfo()
            info.iface = veth.receiverInterface
            info.direction = "ingress"
            info.priority = 50
            info.netns = veth.receiverPath
            attach.attach.tcxAttachInfo = info
            for round in 1...2 {
                // The interface is resolved in the namespace, the switch back
                // fails, and the attach that follows on the same thread refuses.
                let failure = await ServerTests.failure { _ = try await client.attach(attach) }
                #expect(failure?.code == .internalError)
                #expect(failure?.message.contains("this thread could not return from an earlier network namespace") == true, "\(String(describing: failure))")
                // The writer thread ended once per round, and its replacement
                // took the next round's call.
                #expect(server.waitForLine(containing: "worker=bpfman-write-\(round)") != nil, "\(server.log)")
                #expect(retirements() == round)
                let listed = try await client.list(Bpfman_V1_ListRequest()).results.map(\.kernelInfo.id)
                #expect(listed.contains(program))
            }
            var unload = Bpfman_V1_UnloadRequest()
            unload.id = program
            _ = try await client.unload(unload)
        }
        #expect(server.bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty, "nothing was attached")
        #expect(server.bpfman.programIDs() == [])
    }
}
