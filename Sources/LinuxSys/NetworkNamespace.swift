import CLinuxShims
import Diagnostics
import Glibc
import Model
import SystemPackage

/// Runs work inside another network namespace on the calling thread.
///
/// setns(CLONE_NEWNET) moves only the calling thread, so this is safe in a
/// multi-threaded process as long as `body` does not hop threads.
package enum NetworkNamespace {
    /// The calling thread's network namespace file.
    package static let currentPath = "/proc/thread-self/ns/net"

    /// Runs `body` in the namespace at `path` (nil or empty: the current
    /// one) and switches back, whether `body` throws or not.
    ///
    /// Fails closed: a thread that cannot switch back is marked with
    /// ``ThreadTaint`` (a worker pool then ends it), and namespace work
    /// refuses to run on a marked thread. `body`'s result stands: what it
    /// did in the namespace was done there.
    /// - Throws: ``NetworkNamespaceEntryError`` when the namespace cannot be
    ///   entered or the thread is tainted, else whatever `body` throws.
    package static func run<T: ~Copyable>(in path: String?, _ body: () throws -> T) throws -> T {
        guard let path, !path.isEmpty else { return try body() }
        guard !ThreadTaint.isTainted else { throw NetworkNamespaceEntryError(path: path, errno: Errno(rawValue: ENOTRECOVERABLE), threadTainted: true) }
        // Raw descriptors: the compiler cannot yet track a noncopyable value
        // captured by `defer` here.
        let original: CInt
        do { original = try Namespace.open(currentPath).take() } catch { throw NetworkNamespaceEntryError(path: path, errno: error) }
        defer { close(original) }
        do {
            let target = try Namespace.open(path)
            try Namespace.enter(target, kind: .network)
        } catch {
            throw NetworkNamespaceEntryError(path: path, errno: error)
        }
        defer {
            if Failpoint.isSet("netns-return") || cshim_setns(original, NamespaceKind.network.cloneFlag) != 0 { ThreadTaint.mark() }
        }
        return try body()
    }

    /// The inode identifying the namespace at `path` (nil: the current one).
    package static func inode(_ path: String?) throws(Errno) -> UInt64 {
        try Namespace.inode(path.flatMap { $0.isEmpty ? nil : $0 } ?? currentPath)
    }

    /// The index of interface `name` in the current network namespace.
    ///
    /// Corresponds to `if_nametoindex(3)`.
    package static func interfaceIndex(_ name: String) throws(Errno) -> InterfaceIndex {
        let index = if_nametoindex(name)
        guard index != 0 else { throw Errno.lastError }
        return InterfaceIndex(index)
    }
}

/// A network namespace that could not be entered.
package struct NetworkNamespaceEntryError: Error, Sendable {
    /// The namespace path.
    package var path: String
    /// Why opening or entering it failed.
    package var errno: Errno
    /// Whether the thread refused because an earlier switch back failed.
    package var threadTainted = false

    /// Why, in the words of Go's errors: the errno's text, or the thread's state.
    package var reason: String {
        threadTainted ? "this thread could not return from an earlier network namespace" : errno.lowercasedDescription
    }
}
