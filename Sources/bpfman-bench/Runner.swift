import Foundation
import Glibc

/// One finished child process: wall time and peak RSS.
struct Sample {
    var seconds: Double
    var maxRSSKiB: Int
    var status: Int32
    var output: String
}

/// Spawns commands and measures them with wait4's rusage.
enum Runner {
    /// Runs `arguments[0]` with the rest, stdout captured, stderr to /dev/null.
    static func run(_ arguments: [String], environment: [String: String] = [:]) -> Sample {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for p in envp { free(p) }; for p in argv { free(p) } }
        var pipeFDs: [Int32] = [0, 0]
        _ = pipe(&pipeFDs)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        var pid: pid_t = 0
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let spawned = argv.withUnsafeBufferPointer { args in
            envp.withUnsafeBufferPointer { env in
                posix_spawn(&pid, arguments[0], &actions, nil, UnsafeMutablePointer(mutating: args.baseAddress!),
                            UnsafeMutablePointer(mutating: env.baseAddress!))
            }
        }
        close(pipeFDs[1])
        guard spawned == 0 else { close(pipeFDs[0]); return Sample(seconds: 0, maxRSSKiB: 0, status: -1, output: "") }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(pipeFDs[0])
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
        return Sample(seconds: seconds, maxRSSKiB: usage.ru_maxrss, status: (status >> 8) & 0xff,
                      output: String(decoding: output, as: UTF8.self))
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
