import Foundation

/// A running `bpfman-agent` for node `node`, against the in-test API server
/// and a CRI runtime, on a fixture's runtime directory, its stderr kept in
/// a file next to that directory.
package final class AgentProcess: @unchecked Sendable {
    /// The child.
    package let process = Process()
    /// Where the agent's stderr goes.
    package let log: String

    /// Starts the agent, resyncing every half second, with `arguments` added.
    package init(node: String, api: FakeAPIServer, bpfman: BpfmanFixture, cri: CRISandbox, cache: String, arguments: [String] = []) throws {
        log = bpfman.runtimeDirectory + "-agent.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestEnvironment.bpfmanAgent)
        process.arguments = ["--node-name", node, "--kubeconfig", api.kubeconfig, "--runtime-dir", bpfman.runtimeDirectory,
                             "--runtime-endpoint", cri.socket, "--image-cache-dir", cache, "--resync", "0.5"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
    }

    /// What the agent wrote to stderr so far.
    package var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// The first line of the agent's stderr containing `text`, once there
    /// is one; nil when none came within 60 s (a safety net).
    package func waitForLine(containing text: String) -> Substring? {
        for _ in 0..<6000 {
            if let line = output.split(separator: "\n").first(where: { $0.contains(text) }) { return line }
            usleep(10_000)
        }
        return nil
    }

    /// SIGTERM, and waits for the agent to end.
    package func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
