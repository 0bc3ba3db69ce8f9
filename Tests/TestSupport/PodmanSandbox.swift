import Foundation

/// A private rootful podman with its own storage, configuration and API
/// socket (scripts/podman-sandbox.sh), removed on tearDown.
package final class PodmanSandbox: @unchecked Sendable {
    /// The sandbox directory.
    package let directory: String
    /// The API socket (Docker-compatible and podman's own API).
    package var socket: String { directory + "/podman.sock" }
    private let script = TestEnvironment.repoRoot + "/scripts/podman-sandbox.sh"

    /// Starts the API service and imports `rootfs` as image `bpfman-test:latest`.
    package init(rootfs: ContainerRootfs) throws {
        directory = "/tmp/bpfman-podman-" + UUID().uuidString.prefix(8).lowercased()
        let start = Command.run(script, ["start", directory])
        guard start.status == 0 else { throw FixtureError("podman service: \(start.stderr)") }
        let imported = Command.shell("tar -C '\(rootfs.path)' -c . | '\(script)' podman '\(directory)' import - bpfman-test:latest")
        guard imported.status == 0 else { tearDown(); throw FixtureError("podman import: \(imported.stderr)") }
    }

    /// Runs podman with the sandbox's configuration.
    @discardableResult
    package func podman(_ arguments: [String]) -> CommandResult { Command.run(script, ["podman", directory] + arguments) }

    /// Starts a container running `arguments`; returns its host PID.
    package func run(name: String, _ arguments: [String]) throws -> Int32 {
        let result = podman(["run", "-d", "--name", name, "bpfman-test:latest"] + arguments)
        guard result.status == 0 else { throw FixtureError("podman run: \(result.stderr)") }
        let inspect = podman(["inspect", "-f", "{{.State.Pid}}", name])
        guard let pid = Int32(inspect.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw FixtureError("podman inspect: \(inspect.stderr)") }
        return pid
    }

    /// Removes the containers, stops the service, deletes the directory.
    package func tearDown() { Command.run(script, ["stop", directory]) }
}
