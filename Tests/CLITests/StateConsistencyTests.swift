import Foundation
import Synchronization
import Testing
import TestSupport

/// Crash repair and concurrent writers (issue 2).
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct StateConsistencyTests {
    /// Pins, files, records and the kernel agree.
    static func checkConsistent(_ bpfman: BpfmanFixture, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try bpfman.inconsistencies() == [], sourceLocation: sourceLocation)
    }

    @Test("SIGKILL at any point of a load is repaired by the next writer")
    func crashDuringLoad() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        _ = bpfman.bpfman(["program", "list"])
        // Kill loads after increasing delays so the kill lands in every phase.
        for step in 0..<40 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestEnvironment.bpfman)
            process.arguments = ["program", "load", "file", TestEnvironment.object("two_maps"), "--programs", "tracepoint:two_maps"]
            process.environment = ["BPFMAN_RUNTIME_DIR": bpfman.runtimeDirectory]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(step) * 1_000)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // A writer repairs first; the listing afterwards is the truth.
        let unloadAll = bpfman.bpfman(["program", "unload", "--ignore-missing", "4294967295"])
        #expect(unloadAll.status == 0, "\(unloadAll.stderr)")
        try Self.checkConsistent(bpfman)
    }

    @Test("a program whose pin was removed behind bpfman's back is dropped, with its files, by the next writer's repair")
    func droppedProgram() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let kept = try bpfman.load("tracepoint_counter", "tracepoint:tracepoint_counter")
        let dropped = try bpfman.load("two_maps", "tracepoint:two_maps")
        #expect(unlink("\(bpfman.runtimeDirectory)/fs/prog_\(dropped)") == 0)
        // The kernel frees the program once nothing holds it; wait for that
        // (bounded), rather than for time to pass.
        var freed = false
        for _ in 0..<500 where !freed {
            freed = !BpfmanFixture.kernelHasProgram(dropped)
            if !freed { usleep(10_000) }
        }
        #expect(freed)
        let writer = bpfman.bpfman(["program", "unload", "--ignore-missing", "4294967295", "--log", "info"])
        #expect(writer.status == 0, "\(writer.stderr)")
        #expect(writer.stderr.contains("dropping the record of a program the kernel no longer has"), "\(writer.stderr)")
        #expect(writer.stderr.contains("removing orphan map directory") && writer.stderr.contains("removing orphan bytecode copy"), "\(writer.stderr)")
        #expect(bpfman.programIDs() == [kept])
        try Self.checkConsistent(bpfman)
    }

    @Test("16 concurrent first commands on a fresh runtime directory mount bpffs once")
    func concurrentFirstMount() throws {
        for _ in 0..<5 {
            let bpfman = BpfmanFixture()
            defer { bpfman.tearDown() }
            DispatchQueue.concurrentPerform(iterations: 16) { _ in _ = bpfman.bpfman(["program", "list"]) }
            let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
                .split(separator: "\n").filter { $0.split(separator: " ").dropFirst(4).first == "\(bpfman.runtimeDirectory)/fs" }
            #expect(mounts.count == 1, "stacked bpffs mounts: \(mounts)")
        }
    }

    @Test("8 concurrent loaders and unloaders end consistent")
    func concurrentWriters() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let seconds = Double(ProcessInfo.processInfo.environment["BPFMAN_STRESS_SECONDS"] ?? "30") ?? 30
        let deadline = Date().addingTimeInterval(seconds)
        let failures = Mutex<[String]>([])
        let cycles = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            while Date() < deadline {
                let load = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("two_maps"), "--programs", "tracepoint:two_maps",
                                          "-o", "json", "--lock-timeout", "60s"])
                guard load.status == 0, let id = ((load.json["programs"] as? [[String: Any]])?.first?["record"] as? [String: Any])?["program_id"] as? Int else {
                    failures.withLock { $0.append("load: \(load.stderr)") }
                    continue
                }
                if worker % 2 == 0 {
                    let attach = bpfman.bpfman(["link", "attach", "tracepoint", String(id), "syscalls/sys_enter_getppid"])
                    if attach.status != 0 { failures.withLock { $0.append("attach: \(attach.stderr)") } }
                }
                let unload = bpfman.bpfman(["program", "unload", String(id), "--lock-timeout", "60s"])
                if unload.status != 0 { failures.withLock { $0.append("unload: \(unload.stderr)") } }
                cycles.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(5) })")
        #expect(cycles.withLock { $0 } > 8)
        #expect(bpfman.programIDs().isEmpty)
        try Self.checkConsistent(bpfman)
    }
}
