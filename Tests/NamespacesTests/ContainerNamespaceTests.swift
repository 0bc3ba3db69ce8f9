import Diagnostics
import Foundation
import Namespaces
import Testing

@Suite struct ContainerNamespaceTests {
    /// A pid no process has here.
    static let absentPID: Int32 = 999_999
    static var absentEverywhere: Bool {
        !FileManager.default.fileExists(atPath: "/proc/\(absentPID)") && !FileManager.default.fileExists(atPath: "/host/proc/\(absentPID)")
    }

    /// A directory standing in for a host procfs mounted at /host/proc, holding `<pid>/ns/mnt` for `pids`.
    final class FakeHostProc {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("host-proc-\(UUID().uuidString)").path

        init(pids: [Int32]) throws {
            for pid in pids {
                try FileManager.default.createDirectory(atPath: "\(path)/\(pid)/ns", withIntermediateDirectories: true)
                FileManager.default.createFile(atPath: "\(path)/\(pid)/ns/mnt", contents: Data())
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func ownProcessUsesProc() throws {
        let pid = getpid()
        #expect(try ContainerNamespace.procRoot(for: pid) == "/proc")
        #expect(ContainerNamespace.mountNamespacePath(pid: pid, procRoot: "/proc") == "/proc/\(pid)/ns/mnt")
    }

    @Test(.enabled(if: absentEverywhere, "pid 999999 exists"))
    func deadPIDSaysNoSuchProcess() {
        do {
            _ = try ContainerNamespace.procRoot(for: Self.absentPID)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message == "container namespace for PID 999999 not accessible "
                    + "(tried /proc/999999/ns/mnt and /host/proc/999999/ns/mnt): "
                    + "stat /host/proc/999999/ns/mnt: no such file or directory (no such process)")
            #expect(error.description == error.message)
            #expect(error.underlying == SyscallError(call: "stat /host/proc/999999/ns/mnt", errno: .noSuchFileOrDirectory))
        }
    }

    @Test(.enabled(if: absentEverywhere, "pid 999999 exists"))
    func pidOnlyTheHostProcHasFallsBack() throws {
        let host = try FakeHostProc(pids: [Self.absentPID])
        #expect(try ContainerNamespace.procRoot(for: Self.absentPID, hostProcRoot: host.path) == host.path)
    }

    /// A zombie keeps /proc/PID but loses its namespaces: its own error is
    /// the answer, and a /host/proc that has the pid is not consulted.
    @Test func existingProcessReportsItsOwnError() throws {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        try #require(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0)
        defer {
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        // Waiting with WNOWAIT returns once the child has exited and leaves
        // it unreaped: a zombie by construction, no polling.
        var info = siginfo_t()
        try #require(waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0)
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? ""
        try #require(state == "Z", "the child is a zombie")
        let host = try FakeHostProc(pids: [pid])
        do {
            let root = try ContainerNamespace.procRoot(for: pid, hostProcRoot: host.path)
            Issue.record("expected an error, got \(root)")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message == "container namespace for PID \(pid) not accessible: stat /proc/\(pid)/ns/mnt: no such file or directory")
        }
    }
}
