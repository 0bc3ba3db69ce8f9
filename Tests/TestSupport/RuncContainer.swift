import Foundation

/// A root file system built by scripts/container-rootfs.sh, removed on tearDown.
package final class ContainerRootfs: @unchecked Sendable {
    /// The directory.
    package let path: String

    /// Builds a root file system with `layout` (glibc, nocache, musl-layout).
    package init(layout: String = "glibc") throws {
        path = "/tmp/bpfman-rootfs-" + UUID().uuidString.prefix(8).lowercased()
        let result = Command.run(TestEnvironment.repoRoot + "/scripts/container-rootfs.sh", [path, layout])
        guard result.status == 0 else { throw FixtureError("rootfs: \(result.stderr)") }
    }

    /// Creates `file` (a path inside the container) from the host.
    package func touch(_ file: String) { FileManager.default.createFile(atPath: path + file, contents: nil) }

    /// Waits up to `timeout` seconds for `file` (inside the container) to exist.
    package func waitFor(_ file: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path + file) { return true }
            usleep(5_000)
        }
        return false
    }

    /// Removes the directory.
    package func tearDown() { try? FileManager.default.removeItem(atPath: path) }
}

/// A real runc container, started detached; ``stop()`` kills and deletes it.
package final class RuncContainer: @unchecked Sendable {
    /// The container name.
    package let name: String
    /// The host PID of its init process.
    package let pid: Int32

    /// Starts `arguments` in a container on `rootfs`.
    package init(rootfs: ContainerRootfs, privileged: Bool = false, _ arguments: [String]) throws {
        name = "bpfman-test-" + UUID().uuidString.prefix(8).lowercased()
        let result = Command.run(TestEnvironment.repoRoot + "/scripts/runc-container.sh",
                                 ["start", name, rootfs.path] + (privileged ? ["--privileged"] : []) + ["--"] + arguments)
        guard result.status == 0, let pid = Int32(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw FixtureError("runc start: \(result.stderr)")
        }
        self.pid = pid
    }

    /// Kills and deletes the container.
    package func stop() {
        Command.run(TestEnvironment.repoRoot + "/scripts/runc-container.sh", ["stop", name])
    }
}
