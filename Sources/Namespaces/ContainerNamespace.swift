import Diagnostics
import Glibc
import SystemPackage

/// Locates a container process's namespaces from the host or from inside bpfman's own container.
///
/// When bpfman runs in a container the host's procfs is usually mounted at
/// `/host/proc`; a pid not visible in `/proc` is looked up there.
package enum ContainerNamespace {
    /// The host procfs mount point used inside a container.
    package static let hostProcRoot = "/host/proc"

    /// The path of the mount namespace file of `pid`.
    ///
    /// - Returns: `/proc/<pid>/ns/mnt` when it can be stat'ed, else
    ///   `/host/proc/<pid>/ns/mnt` when that can.
    /// - Throws: `.notFound` naming both paths and the errno of the last stat.
    package static func mountNamespacePath(pid: Int32) throws(NamespaceError) -> String {
        let local = "/proc/\(pid)/ns/mnt"
        if statError(local) == nil { return local }
        let host = "\(hostProcRoot)/\(pid)/ns/mnt"
        guard let errno = statError(host) else { return host }
        throw NamespaceError(.notFound, "container namespace for PID \(pid) not accessible (tried \(local) and \(host)): "
                                      + "stat \(host): \(errno.lowercasedDescription)")
    }

    /// `"/proc"` when `/proc/<pid>/ns/mnt` exists, else `"/host/proc"` when
    /// `/host/proc/<pid>/ns/mnt` does, else `"/proc"`.
    package static func procRoot(for pid: Int32) -> String {
        if statError("/proc/\(pid)/ns/mnt") == nil { return "/proc" }
        if statError("\(hostProcRoot)/\(pid)/ns/mnt") == nil { return hostProcRoot }
        return "/proc"
    }

    /// Stats `path`: nil on success, else the errno.
    private static func statError(_ path: String) -> Errno? {
        var info = stat()
        return stat(path, &info) == 0 ? nil : Errno.lastError
    }
}
