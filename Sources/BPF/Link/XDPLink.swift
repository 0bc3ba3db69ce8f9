import Diagnostics
import LinuxSys
import SystemPackage

/// XDP links on a network interface.
package enum XDPLink {
    /// Attaches `program` to `ifindex`, in driver mode when the driver
    /// supports it, else in generic mode.
    ///
    /// - Throws: `.alreadyExists` when the interface already has an XDP program.
    package static func attach(program: borrowing OwnedDescriptor, ifindex: Int32) throws(BPFError) -> OwnedDescriptor {
        do {
            return try LinkCreate.xdp(program: program, ifindex: ifindex, flags: 1 << 2)
        } catch let driverError {
            if driverError == .resourceBusy || driverError == .fileExists {
                throw BPFError(code: .alreadyExists, message: "attach xdp to ifindex \(ifindex): the interface already has an XDP program",
                               underlying: SyscallError(call: "BPF_LINK_CREATE", errno: driverError))
            }
            do {
                return try LinkCreate.xdp(program: program, ifindex: ifindex, flags: 1 << 1)
            } catch {
                let code: ErrorCode = (error == .resourceBusy || error == .fileExists) ? .alreadyExists : ErrorCode(errno: error)
                throw BPFError(code: code, message: "attach xdp to ifindex \(ifindex): \(error.lowercasedDescription)",
                               underlying: SyscallError(call: "BPF_LINK_CREATE", errno: error))
            }
        }
    }

    /// Points the XDP link `link` at `program` in one step, so the interface
    /// never runs without a program.
    package static func update(link: borrowing OwnedDescriptor, program: borrowing OwnedDescriptor) throws(BPFError) {
        do {
            try LinkCreate.update(link: link, program: program)
        } catch {
            throw BPFError.syscall("update xdp link", call: "BPF_LINK_UPDATE", errno: error)
        }
    }

    /// The id of the XDP program attached to `ifindex` in any mode, if any.
    package static func attachedProgram(ifindex: Int32) -> UInt32? {
        LinkCreate.xdpQuery(ifindex: ifindex)
    }
}
