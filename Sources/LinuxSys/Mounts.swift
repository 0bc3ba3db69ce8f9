import CLinuxShims
import Diagnostics
import Glibc
import SystemPackage

/// Special file systems bpfman needs mounted.
package enum SpecialFileSystem: String, Sendable {
    /// The BPF file system (bpffs), where programs, maps and links are pinned.
    case bpf
    /// The tracing file system, which names tracepoints.
    case tracefs

    /// The `statfs` magic number (`BPF_FS_MAGIC`, `TRACEFS_MAGIC`).
    package var magic: Int {
        switch self {
        case .bpf: 0xcafe_4a11
        case .tracefs: 0x7472_6163
        }
    }
}

/// Mount-related calls.
package enum Mounts {
    /// Whether `path` is the root or inside a mount of `fileSystem`.
    package static func isMounted(_ fileSystem: SpecialFileSystem, at path: String) -> Bool {
        cshim_statfs_type(path) == fileSystem.magic
    }

    /// Mounts `fileSystem` at `path` unless it is mounted there already,
    /// creating the directory.
    ///
    /// - Throws: the errno of `mkdir` or `mount`.
    package static func ensureMounted(_ fileSystem: SpecialFileSystem, at path: String, mode: String = "0700") throws(Errno) {
        if isMounted(fileSystem, at: path) { return }
        try FileSystem.createDirectories(path)
        // Concurrent first commands would each see no mount and stack one
        // mount on another; a lock on the parent directory makes the check
        // and the mount one step.
        let parent = open(FileSystem.dirname(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { throw Errno.lastError }
        defer { close(parent) }
        while flock(parent, LOCK_EX) != 0 {
            guard Errno.lastError == .interrupted else { throw Errno.lastError }
        }
        if isMounted(fileSystem, at: path) { return }
        if cshim_mount(fileSystem.rawValue, path, fileSystem.rawValue, 0, "mode=\(mode)") != 0 { throw Errno.lastError }
    }
}
