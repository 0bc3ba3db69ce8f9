import Diagnostics
import LinuxSys
import SystemPackage

/// freplace links: an extension program (`BPF_PROG_TYPE_EXT`) running in
/// place of one function of another loaded program.
package enum ExtensionLink {
    /// Attaches `program` in place of `function` in `target`.
    ///
    /// The extension may have been verified against another program (the
    /// placeholder it was loaded for) and may already run elsewhere (an
    /// older dispatcher revision, another slot): giving the target
    /// re-targets it, and the kernel checks the function prototypes match.
    /// - Throws: `.notFound` when `target` has no such function in its BTF.
    package static func attach(program: borrowing OwnedDescriptor, target: borrowing OwnedDescriptor, function: String) throws(BPFError) -> OwnedDescriptor {
        let btfID: UInt32?
        do {
            btfID = try LinkCreate.functionBTFID(program: target, name: function)
        } catch {
            throw BPFError.syscall("find \(function) in the target's BTF", call: "BPF_BTF_GET_FD_BY_ID", errno: error)
        }
        guard let btfID else {
            throw BPFError(code: .notFound, message: "attach extension: the target program has no function \(function) in its BTF")
        }
        do {
            return try LinkCreate.freplace(program: program, target: target, btfID: btfID)
        } catch {
            throw BPFError.syscall("attach extension to \(function)", call: "BPF_LINK_CREATE", errno: error)
        }
    }
}
