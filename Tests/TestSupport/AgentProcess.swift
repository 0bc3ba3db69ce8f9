import Foundation

/// A running `bpfman-agent` for node `node`, against the in-test API server
/// and a CRI runtime, on a fixture's runtime directory, its stderr kept in
/// a file next to that directory.
package final class AgentProcess: @unchecked Sendable {
    /// The child.
    package let process = Process()
    /// Where the agent's stderr goes.
    package let log: String

    /// Starts the agent, resyncing every half second.
    package init(node: String, api: FakeAPIServer, bpfman: BpfmanFixture, cri: CRISandbox, cache: String) throws {
        log = bpfman.runtimeDirectory + "-agent.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: TestEnvironment.bpfmanAgent)
        process.arguments = ["--node-name", node, "--kubeconfig", api.kubeconfig, "--runtime-dir", bpfman.runtimeDirectory,
                             "--runtime-endpoint", cri.socket, "--image-cache-dir", cache, "--resync", "0.5"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
    }

    /// What the agent wrote to stderr so far.
    package var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// SIGTERM, and waits for the agent to end.
    package func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
