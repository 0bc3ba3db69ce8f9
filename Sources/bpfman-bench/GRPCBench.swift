import BpfmanProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Per-RPC latencies of `bpfman serve` and its memory, idle and after load.
enum GRPCBench {
    struct Result {
        var rows: [(String, Statistics)]
        var idleRSSKiB: Int
        var peakRSSKiB: Int
    }

    static func run(bpfman: String, runtime: String, object: String, target: String, runs: Int) async throws -> Result {
        let socket = runtime + "-sock/bpfman.sock"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: bpfman)
        server.arguments = ["serve", "--socket-path", socket, "--metrics-address", "127.0.0.1:0"]
        server.environment = ProcessInfo.processInfo.environment.merging(["BPFMAN_RUNTIME_DIR": runtime]) { $1 }
        let log = runtime + "-serve.log"
        guard FileManager.default.createFile(atPath: log, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? FileManager.default.removeItem(atPath: log) }
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
        let metrics = ScrapeBench.address(announcedIn: log)
        usleep(200_000)
        let idle = memory(server.processIdentifier).current

        var rows: [(String, Statistics)] = []
        try await withGRPCClient(transport: .http2NIOPosix(target: .unixDomainSocket(path: socket), transportSecurity: .plaintext)) { grpc in
            let client = Bpfman_V1_Bpfman.Client(wrapping: grpc)
            var request = Bpfman_V1_LoadRequest()
            request.bytecode.file = object
            var info = Bpfman_V1_LoadInfo()
            info.name = "uprobe_counter"
            info.programType = .uprobe
            request.info = [info]
            let pid = server.processIdentifier
            var loaded: [UInt32] = []
            var loads: [Double] = []
            var cpu = cpuNanoseconds(pid)
            for _ in 0..<runs {
                let (seconds, response) = try await timed { try await client.load(request) }
                loads.append(seconds)
                loaded.append(response.programs[0].kernelInfo.id)
            }
            rows.append(("gRPC Load (server CPU \(perCall(cpuNanoseconds(pid) - cpu, runs)))", Statistics(seconds: loads)))

            var gets: [Double] = []
            var get = Bpfman_V1_GetRequest()
            get.id = loaded[0]
            cpu = cpuNanoseconds(pid)
            for _ in 0..<runs { gets.append(try await timed { try await client.get(get) }.0) }
            rows.append(("gRPC Get (server CPU \(perCall(cpuNanoseconds(pid) - cpu, runs)))", Statistics(seconds: gets)))

            var attaches: [Double] = []
            for _ in 0..<runs {
                var attach = Bpfman_V1_AttachRequest()
                attach.id = loaded[0]
                attach.attach.uprobeAttachInfo.target = target
                attach.attach.uprobeAttachInfo.fnName = "bpfman_test_probe"
                let (seconds, response) = try await timed { try await client.attach(attach) }
                attaches.append(seconds)
                var detach = Bpfman_V1_DetachRequest()
                detach.linkID = response.linkID
                _ = try await client.detach(detach)
                usleep(250_000)
            }
            rows.append(("gRPC Attach (uprobe)", Statistics(seconds: attaches)))

            for count in [1, 100, 1000] {
                while loaded.count < count { loaded.append(try await client.load(request).programs[0].kernelInfo.id) }
                var list = Bpfman_V1_ListRequest()
                list.bpfmanProgramsOnly = true
                var lists: [Double] = []
                for _ in 0..<runs { lists.append(try await timed { try await client.list(list) }.0) }
                rows.append(("gRPC List, \(count) programs", Statistics(seconds: lists)))
                if let metrics, let scrapes = ScrapeBench.run(address: metrics, runs: runs) {
                    rows.append(("metrics scrape, \(count) programs (\(scrapes.bytes / 1024) KiB)", Statistics(seconds: scrapes.seconds)))
                }
            }
            var unloads: [Double] = []
            cpu = cpuNanoseconds(pid)
            for id in loaded {
                var unload = Bpfman_V1_UnloadRequest()
                unload.id = id
                unloads.append(try await timed { try await client.unload(unload) }.0)
            }
            rows.append(("gRPC Unload, from 1000 (server CPU \(perCall(cpuNanoseconds(pid) - cpu, unloads.count)))", Statistics(seconds: unloads)))
        }
        let peak = memory(server.processIdentifier).peak
        return Result(rows: rows, idleRSSKiB: idle, peakRSSKiB: peak)
    }

    private static func timed<T>(_ body: () async throws -> T) async rethrows -> (Double, T) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try await body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, value)
    }

    /// CPU time all of a process's threads have used, from their schedstat.
    private static func cpuNanoseconds(_ pid: Int32) -> UInt64 {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { sum, task in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8)) ?? ""
            return sum + (UInt64(text.split(separator: " ").first ?? "") ?? 0)
        }
    }

    private static func perCall(_ nanoseconds: UInt64, _ calls: Int) -> String {
        String(format: "%.2f ms/call", Double(nanoseconds) / Double(max(calls, 1)) / 1e6)
    }

    /// VmRSS and VmHWM of a process, KiB.
    private static func memory(_ pid: Int32) -> (current: Int, peak: Int) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func value(_ key: String) -> Int {
            let line = text.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (value("VmRSS"), value("VmHWM"))
    }
}

extension Statistics {
    /// Statistics over raw durations (in-process timings have no RSS).
    init(seconds: [Double]) {
        self.init(seconds.map { Sample(seconds: $0, maxRSSKiB: 0, status: 0, output: "") })
    }
}
