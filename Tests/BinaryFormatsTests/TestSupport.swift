import Foundation

/// The repository root, found from this file's path (the suite links no TestSupport).
let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Whether the tests run in CI, where a missing tool fails instead of skipping:
/// `CI` set to a non-empty value other than `false` or `0`, as `TestEnvironment.isCI` decides.
let isCI: Bool = {
    guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
    return !["", "false", "0"].contains(value.lowercased())
}()

/// Reads a whole file, or returns nil when it cannot be read.
func readBytes(_ path: String) -> [UInt8]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return [UInt8](data)
}

/// Runs a tool and returns its standard output, or nil when it cannot run or fails.
func runTool(_ path: String, _ arguments: [String]) -> String? {
    guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
}

/// Monotonic seconds, for coarse timing assertions.
func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// A growable byte buffer with endian-aware integer writes, for building test inputs.
struct ByteWriter {
    var bytes: [UInt8] = []
    var littleEndian = true

    mutating func put(_ value: UInt64, size: Int, at offset: Int) {
        if bytes.count < offset + size { bytes += [UInt8](repeating: 0, count: offset + size - bytes.count) }
        for index in 0..<size {
            let shift = littleEndian ? 8 * index : 8 * (size - 1 - index)
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
        }
    }

    mutating func put(_ data: [UInt8], at offset: Int) {
        if bytes.count < offset + data.count { bytes += [UInt8](repeating: 0, count: offset + data.count - bytes.count) }
        for (index, byte) in data.enumerated() { bytes[offset + index] = byte }
    }

    mutating func pad(to size: Int) {
        if bytes.count < size { bytes += [UInt8](repeating: 0, count: size - bytes.count) }
    }
}

/// SplitMix64: a tiny deterministic PRNG for reproducible fuzzing.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
