import Diagnostics
import Glibc
import SystemPackage

/// Locates a container process's namespaces from the host or from inside bpfman's own container.
///
/// When bpfman runs in a container the host's procfs is usually mounted at
/// `/host/proc`; a pid that `/proc` does not have is looked up there.
package enum ContainerNamespace {
    /// The host procfs mount point used inside a container.
    package static let hostProcRoot = "/host/proc"

    /// The procfs through which `pid` is reached: `"/proc"`, or
    /// `hostProcRoot` when `/proc` has no such process.
    ///
    /// The fallback is taken only when `/proc/<pid>` does not exist: when it
    /// exists, the error of its `ns/mnt` (for example `EACCES` without
    /// `CAP_SYS_PTRACE`) is the answer.
    /// - Throws: the errno class of the first real failure, naming the path;
    ///   `.notFound` "… (no such process)" when neither procfs has the pid.
    package static func procRoot(for pid: Int32, hostProcRoot: String = hostProcRoot) throws(NamespaceError) -> String {
        let local = mountNamespacePath(pid: pid, procRoot: "/proc")
        guard let localError = statError(local) else { return "/proc" }
        let prefix = "container namespace for PID \(pid) not accessible"
        if !isMissing(statError("/proc/\(pid)")) {
            throw NamespaceError(ErrorCode(errno: localError), "\(prefix): stat \(local): \(localError.lowercasedDescription)",
                                 underlying: SyscallError(call: "stat \(local)", errno: localError))
        }
        let host = mountNamespacePath(pid: pid, procRoot: hostProcRoot)
        guard let hostError = statError(host) else { return hostProcRoot }
        let gone = isMissing(hostError) && isMissing(statError("\(hostProcRoot)/\(pid)"))
        throw NamespaceError(ErrorCode(errno: hostError),
                             "\(prefix) (tried \(local) and \(host)): stat \(host): \(hostError.lowercasedDescription)"
                                 + (gone ? " (no such process)" : ""),
                             underlying: SyscallError(call: "stat \(host)", errno: hostError))
    }

    /// The path of the mount namespace file of `pid` under `procRoot`.
    package static func mountNamespacePath(pid: Int32, procRoot: String) -> String {
        "\(procRoot)/\(pid)/ns/mnt"
    }

    /// Whether a stat result says the process does not exist.
    private static func isMissing(_ error: Errno?) -> Bool {
        error == .noSuchFileOrDirectory || error == .noSuchProcess
    }

    /// Stats `path`: nil on success, else the errno.
    private static func statError(_ path: String) -> Errno? {
        var info = stat()
        return stat(path, &info) == 0 ? nil : Errno.lastError
    }
}
