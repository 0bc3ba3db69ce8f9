import CLinuxShims
import Diagnostics
import Glibc
import SystemPackage

/// Kinds of Linux namespaces bpfman enters.
package enum NamespaceKind: Sendable {
    /// A mount namespace (`CLONE_NEWNS`).
    case mount
    /// A network namespace (`CLONE_NEWNET`).
    case network

    /// The `CLONE_NEW*` flag.
    package var cloneFlag: CInt {
        switch self {
        case .mount: cshim_clone_newns()
        case .network: cshim_clone_newnet()
        }
    }
}

/// Namespace calls.
package enum Namespace {
    /// Moves the calling thread into the namespace `fd` refers to.
    ///
    /// For a mount namespace the process must be single-threaded, else the
    /// kernel answers `EINVAL`. Corresponds to `setns(2)`.
    package static func enter(_ fd: borrowing OwnedDescriptor, kind: NamespaceKind) throws(Errno) {
        _ = try retryingOnInterrupt { cshim_setns(fd.rawValue, kind.cloneFlag) }
    }

    /// Opens a namespace file such as `/proc/123/ns/mnt`.
    package static func open(_ path: String) throws(Errno) -> OwnedDescriptor {
        OwnedDescriptor(try retryingOnInterrupt { Glibc.open(path, O_RDONLY | O_CLOEXEC) })
    }

    /// The inode number identifying the namespace at `path`.
    package static func inode(_ path: String) throws(Errno) -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Errno.lastError }
        return UInt64(info.st_ino)
    }
}
