import Foundation

/// A private OCI registry on 127.0.0.1 (scripts/registry-sandbox.sh): the
/// real Debian `docker-registry`, optionally with htpasswd auth, or with
/// `static: true` a plain file server whose tree the test writes itself (to
/// serve hostile manifests and blobs a real registry would refuse to store).
package final class RegistrySandbox: @unchecked Sendable {
    /// The sandbox directory.
    package let directory: String
    /// `127.0.0.1:PORT`.
    package let address: String
    private static let script = TestEnvironment.repoRoot + "/scripts/registry-sandbox.sh"

    /// Starts a registry; with `credentials`, it requires Basic auth.
    package init(credentials: (user: String, password: String)? = nil, static isStatic: Bool = false) throws {
        directory = "/tmp/bpfman-registry-" + UUID().uuidString.prefix(8).lowercased()
        var arguments = [isStatic ? "static" : "start", directory]
        if let credentials { arguments += [credentials.user, credentials.password] }
        let start = Command.run(Self.script, arguments)
        guard start.status == 0 else {
            Command.run(Self.script, ["stop", directory])
            throw FixtureError("registry: \(start.stderr)")
        }
        address = start.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A reference to `repository:tag` in this registry.
    package func reference(_ repository: String, tag: String = "latest") -> String { "\(address)/\(repository):\(tag)" }

    /// Stops the server process (the files stay, for a restart-free "offline" check).
    package func stopServer() {
        guard let pid = try? String(contentsOfFile: directory + "/registry.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return }
        Command.run("/bin/kill", [pid])
        Command.shell("for _ in $(seq 50); do kill -0 \(pid) 2>/dev/null || exit 0; sleep 0.05; done")
    }

    /// For a static sandbox: serves `bytes` at `/v2/<path>`.
    package func serve(_ path: String, _ bytes: [UInt8]) throws {
        let file = directory + "/root/v2/" + path
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    /// Stops the server and deletes everything.
    package func tearDown() { Command.run(Self.script, ["stop", directory]) }
}
