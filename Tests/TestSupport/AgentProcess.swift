import Foundation

/// A running `bpfman-agent` for node `node`, against the in-test API server
/// and a CRI runtime, on a fixture's runtime directory, its stderr kept in
/// a file next to that directory.
package final class AgentProcess: @unchecked Sendable {
    /// The child.
    package let process = Process()
    /// Where the agent's stderr goes.
    package let stderr: ChildLog
    /// That file's path.
    package var log: String { stderr.path }

    /// Starts the agent, resyncing every half second, with `arguments` added.
    package init(node: String, api: FakeAPIServer, bpfman: BpfmanFixture, cri: CRISandbox, cache: String, arguments: [String] = []) throws {
        stderr = try ChildLog(path: bpfman.runtimeDirectory + "-agent.log")
        process.executableURL = URL(fileURLWithPath: TestEnvironment.bpfmanAgent)
        process.arguments = ["--node-name", node, "--kubeconfig", api.kubeconfig, "--runtime-dir", bpfman.runtimeDirectory,
                             "--runtime-endpoint", cri.socket, "--image-cache-dir", cache, "--resync", "0.5"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try stderr.handle()
        try process.run()
    }

    /// What the agent wrote to stderr so far.
    package var output: String { stderr.text }

    /// The first line of the agent's stderr containing `text` (see ``ChildLog``).
    package func waitForLine(containing text: String) -> Substring? { stderr.waitForLine(containing: text) }

    /// SIGTERM, and waits for the agent to end.
    package func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
