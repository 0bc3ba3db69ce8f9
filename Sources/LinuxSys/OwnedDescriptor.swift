import Diagnostics
import Glibc

/// Sole owner of a kernel file descriptor: closes it when dropped.
///
/// Dropping a descriptor that refers to a BPF program, map or link releases
/// this process's reference; a pinned object survives through its pin.
package struct OwnedDescriptor: ~Copyable {
    /// The raw descriptor, valid while `self` lives.
    package let rawValue: CInt

    /// Takes ownership of `rawValue`.
    package init(_ rawValue: CInt) { self.rawValue = rawValue }

    /// Hands the descriptor to the caller, who must close it.
    package consuming func take() -> CInt {
        let fd = rawValue
        discard self
        return fd
    }

    deinit { _ = Glibc.close(rawValue) }
}
