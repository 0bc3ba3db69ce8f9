import Foundation

/// A `bpfman serve` child on a private socket, runtime directory and image
/// cache, its stderr kept in a file: a test waits for a line the server
/// writes (what it did) rather than for time to pass.
package final class ServeProcess: @unchecked Sendable {
    /// The runtime directory and the CLI on it.
    package let bpfman = BpfmanFixture()
    /// The gRPC socket.
    package let socket: String
    /// The image cache.
    package let imageCache: String
    /// Where the server's stderr goes.
    package let stderr: ChildLog
    /// That file's path.
    package var logFile: String { stderr.path }
    /// The child.
    package let process = Process()

    /// Starts `bpfman serve` with `arguments` after its socket and cache
    /// flags, `environment` added to the test's own, and waits for its socket.
    package init(arguments: [String] = [], environment: [String: String] = [:]) throws {
        socket = bpfman.runtimeDirectory + "-sock/bpfman.sock"
        imageCache = bpfman.runtimeDirectory + "-cache"
        stderr = try ChildLog(path: bpfman.runtimeDirectory + "-serve.log")
        process.executableURL = URL(fileURLWithPath: TestEnvironment.bpfman)
        process.arguments = ["serve", "--socket-path", socket, "--image-cache-dir", imageCache] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["BPFMAN_RUNTIME_DIR": bpfman.runtimeDirectory]) { $1 }.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try stderr.handle()
        try process.run()
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
        guard FileManager.default.fileExists(atPath: socket) else { throw FixtureError("server did not create \(socket): \(log)") }
    }

    /// What the server wrote to stderr so far.
    package var log: String { stderr.text }

    /// The first line of the server's stderr containing `text` (see ``ChildLog``).
    package func waitForLine(containing text: String) -> Substring? { stderr.waitForLine(containing: text) }

    /// SIGTERM, then whether the socket is gone.
    package func stop() -> Bool {
        process.terminate()
        process.waitUntilExit()
        return !FileManager.default.fileExists(atPath: socket)
    }

    /// Stops the server if it runs, then removes everything it and the
    /// fixture made.
    package func tearDown() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        bpfman.tearDown()
        for path in [(socket as NSString).deletingLastPathComponent, imageCache, logFile] {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
