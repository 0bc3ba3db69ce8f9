internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import SystemPackage

/// bpffs pins: `BPF_OBJ_PIN` and `BPF_OBJ_GET`.
package enum Pins {
    /// Opens the object pinned at `path`.
    ///
    /// Corresponds to `bpf_obj_get`.
    /// - Throws: `.notFound` when nothing is pinned there.
    package static func open(_ path: String, what: String) throws(BPFError) -> OwnedDescriptor {
        Libbpf.silenceLogging()
        let fd = bpf_obj_get(path)
        guard fd >= 0 else {
            let errno = Errno.lastError
            throw BPFError(code: errno == .noSuchFileOrDirectory ? .notFound : ErrorCode(errno: errno),
                           message: "open \(what) pin \(path): \(errno.lowercasedDescription)",
                           underlying: SyscallError(call: "BPF_OBJ_GET", errno: errno))
        }
        return OwnedDescriptor(fd)
    }

    /// Pins the object `fd` refers to at `path`.
    ///
    /// Corresponds to `bpf_obj_pin`.
    package static func pin(_ fd: borrowing OwnedDescriptor, at path: String) throws(BPFError) {
        if bpf_obj_pin(fd.rawValue, path) != 0 {
            throw BPFError.syscall("pin \(path)", call: "BPF_OBJ_PIN", errno: .lastError)
        }
    }

    /// Removes the pin at `path`; a missing pin is not an error.
    package static func unpin(_ path: String) throws(BPFError) {
        do { try FileSystem.remove(path) } catch {
            throw BPFError.syscall("unpin \(path)", call: "unlink", errno: error)
        }
    }
}
