import Foundation

/// The in-test Kubernetes API server (testdata/kube/fake_apiserver.py): the
/// REST semantics the agent uses (list/watch with resourceVersion, 410 Gone,
/// bookmarks, patches, the status subresource, finalizers, selectors) on
/// 127.0.0.1, with a bearer token, and a kubeconfig pointing at it.
package final class FakeAPIServer: @unchecked Sendable {
    /// The server URL.
    package let url: String
    /// A kubeconfig file for it.
    package let kubeconfig: String
    private let directory: String
    private let process = Process()
    private let token = "bpfman-test-token"

    /// Starts the server.
    package init() throws {
        directory = "/tmp/bpfman-kube-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let portFile = directory + "/port"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestEnvironment.repoRoot + "/testdata/kube/fake_apiserver.py", "--port", "0", "--port-file", portFile,
                             "--token", token, "--bookmark-interval", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var port = ""
        for _ in 0..<500 {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if !port.isEmpty { break }
            usleep(10_000)
        }
        guard !port.isEmpty else { process.terminate(); throw FixtureError("fake API server did not start") }
        url = "http://127.0.0.1:\(port)"
        kubeconfig = directory + "/kubeconfig"
        let config = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake
          cluster: {server: "\(url)"}
        users:
        - name: agent
          user: {token: \(token)}
        contexts:
        - name: fake
          context: {cluster: fake, user: agent}
        current-context: fake
        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: kubeconfig))
    }

    /// Sends `method path` with a JSON body; returns the status code and the decoded JSON.
    @discardableResult
    package func request(_ method: String, _ path: String, json: Any? = nil, contentType: String = "application/json") -> (Int, [String: Any]) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, "-H", "Authorization: Bearer \(token)"]
        if let json, let data = try? JSONSerialization.data(withJSONObject: json) {
            arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", String(decoding: data, as: UTF8.self)]
        }
        let result = Command.run("/usr/bin/curl", arguments + [url + path])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.last ?? "") ?? 0
        let body = lines.dropLast().joined(separator: "\n")
        return (code, (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:])
    }

    /// The requests the server has answered, as its raw JSON log.
    package func requestLog() -> String {
        Command.run("/usr/bin/curl", ["-s", url + "/fake/requests"]).stdout
    }

    /// Stops the server and removes its files.
    package func tearDown() {
        if process.isRunning {
            process.terminate()
            for _ in 0..<100 where process.isRunning { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
