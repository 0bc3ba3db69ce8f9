import Diagnostics
import Foundation
import Namespaces
import Testing

@Suite struct ContainerNamespaceTests {
    @Test func ownProcessUsesProc() throws {
        let pid = getpid()
        #expect(try ContainerNamespace.mountNamespacePath(pid: pid) == "/proc/\(pid)/ns/mnt")
        #expect(ContainerNamespace.procRoot(for: pid) == "/proc")
    }

    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/proc/999999")
                   && !FileManager.default.fileExists(atPath: "/host/proc/999999"), "pid 999999 exists"))
    func inaccessiblePIDErrorText() {
        do {
            _ = try ContainerNamespace.mountNamespacePath(pid: 999999)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message == "container namespace for PID 999999 not accessible "
                    + "(tried /proc/999999/ns/mnt and /host/proc/999999/ns/mnt): "
                    + "stat /host/proc/999999/ns/mnt: no such file or directory")
            #expect(error.description == error.message)
        }
        #expect(ContainerNamespace.procRoot(for: 999999) == "/proc")
    }
}
