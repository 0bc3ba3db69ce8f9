import Foundation
import Glibc

/// One finished command: wall time and peak RSS.
struct Sample {
    var seconds: Double
    var maxRSSKiB: Int
    var status: Int32
    var output: String
}

/// Spawns commands through `build/measure` (bench/measure.c), which times
/// each and reports its own peak RSS.
enum Runner {
    /// The measuring wrapper.
    static let measure = FileManager.default.currentDirectoryPath + "/build/measure"

    /// Runs `arguments[0]` with the rest, stdout captured, stderr to /dev/null.
    static func run(_ arguments: [String], environment: [String: String] = [:]) -> Sample {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let argv = ([measure] + arguments).map { strdup($0) } + [nil]
        defer { for p in envp { free(p) }; for p in argv { free(p) } }
        var outputPipe: [Int32] = [0, 0]
        var reportPipe: [Int32] = [0, 0]
        _ = pipe(&outputPipe)
        _ = pipe(&reportPipe)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The read ends go first: one of them may be descriptor 3.
        posix_spawn_file_actions_addclose(&actions, outputPipe[0])
        posix_spawn_file_actions_addclose(&actions, reportPipe[0])
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, reportPipe[1], 3)
        var pid: pid_t = 0
        let spawned = argv.withUnsafeBufferPointer { args in
            envp.withUnsafeBufferPointer { env in
                posix_spawn(&pid, measure, &actions, nil, UnsafeMutablePointer(mutating: args.baseAddress!),
                            UnsafeMutablePointer(mutating: env.baseAddress!))
            }
        }
        close(outputPipe[1])
        close(reportPipe[1])
        defer { close(outputPipe[0]); close(reportPipe[0]) }
        guard spawned == 0 else { return Sample(seconds: 0, maxRSSKiB: 0, status: -1, output: "") }
        let output = readAll(outputPipe[0])
        let report = String(decoding: readAll(reportPipe[0]), as: UTF8.self).split(separator: " ")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let seconds = report.first.flatMap { Double($0) } ?? 0
        let maxRSS = report.count > 1 ? Int(report[1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
        return Sample(seconds: seconds, maxRSSKiB: maxRSS, status: (status >> 8) & 0xff,
                      output: String(decoding: output, as: UTF8.self))
    }

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
}

/// Median and p99 of a set of samples.
struct Statistics {
    var median: Double
    var p99: Double
    var maxRSSKiB: Int
    var runs: Int

    init(_ samples: [Sample]) {
        let times = samples.map(\.seconds).sorted()
        runs = times.count
        median = times.isEmpty ? 0 : times[times.count / 2]
        p99 = times.isEmpty ? 0 : times[min(times.count - 1, Int((Double(times.count) * 0.99).rounded(.up)) - 1)]
        maxRSSKiB = samples.map(\.maxRSSKiB).max() ?? 0
    }
}
