internal import CLibbpf
import Diagnostics
import LinuxSys
import Model
import SystemPackage

/// XDP links on a network interface.
package enum XDPLink {
    /// Attaches `program` to `ifindex`, in driver mode when the driver
    /// supports it, else in generic mode.
    ///
    /// - Throws: `.alreadyExists` when the interface already has an XDP program.
    package static func attach(program: borrowing OwnedDescriptor, ifindex: InterfaceIndex) throws(BPFError) -> OwnedDescriptor {
        do {
            return try create(program: program, ifindex: ifindex, flags: .driverMode)
        } catch let driverError {
            if driverError == .resourceBusy || driverError == .fileExists {
                throw BPFError(code: .alreadyExists, message: "attach xdp to ifindex \(ifindex): the interface already has an XDP program",
                               underlying: SyscallError(call: "BPF_LINK_CREATE", errno: driverError))
            }
            do {
                return try create(program: program, ifindex: ifindex, flags: .genericMode)
            } catch {
                let code: ErrorCode = (error == .resourceBusy || error == .fileExists) ? .alreadyExists : ErrorCode(errno: error)
                throw BPFError(code: code, message: "attach xdp to ifindex \(ifindex): \(error.lowercasedDescription)",
                               underlying: SyscallError(call: "BPF_LINK_CREATE", errno: error))
            }
        }
    }

    /// Points the XDP link `link` at `program` in one step, so the interface
    /// never runs without a program.
    ///
    /// Corresponds to `bpf_link_update` (`BPF_LINK_UPDATE`).
    package static func update(link: borrowing OwnedDescriptor, program: borrowing OwnedDescriptor) throws(BPFError) {
        do {
            _ = try negativeErrno { bpf_link_update(link.rawValue, program.rawValue, nil) }
        } catch {
            throw BPFError.syscall("update xdp link", call: "BPF_LINK_UPDATE", errno: error)
        }
    }

    /// The id of the XDP program attached to `ifindex` in any mode, if any.
    ///
    /// Corresponds to `bpf_xdp_query`.
    package static func attachedProgram(ifindex: InterfaceIndex) -> UInt32? {
        var options = Libbpf.options(through: \bpf_xdp_query_opts.attach_mode)
        guard bpf_xdp_query(Int32(bitPattern: ifindex.rawValue), 0, &options) == 0, options.prog_id != 0 else { return nil }
        return options.prog_id
    }

    /// Attaches an XDP program to `ifindex` in the mode `flags` names.
    ///
    /// Corresponds to `bpf_link_create(prog, ifindex, BPF_XDP)`.
    private static func create(program: borrowing OwnedDescriptor, ifindex: InterfaceIndex, flags: XDPFlags) throws(Errno) -> OwnedDescriptor {
        var options = Libbpf.options(through: \bpf_link_create_opts.target_btf_id)
        options.flags = flags.rawValue
        return OwnedDescriptor(try negativeErrno { bpf_link_create(program.rawValue, Int32(bitPattern: ifindex.rawValue), BPF_XDP, &options) })
    }
}

/// The `XDP_FLAGS_*` of an XDP attachment.
package struct XDPFlags: OptionSet, Sendable {
    /// The raw flags.
    package let rawValue: UInt32
    /// Wraps raw flags.
    package init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `XDP_FLAGS_UPDATE_IF_NOEXIST`.
    package static let updateIfNotExists = XDPFlags(rawValue: 1 << 0)
    /// `XDP_FLAGS_SKB_MODE`: generic XDP, in the network stack.
    package static let genericMode = XDPFlags(rawValue: 1 << 1)
    /// `XDP_FLAGS_DRV_MODE`: native XDP, in the driver.
    package static let driverMode = XDPFlags(rawValue: 1 << 2)
    /// `XDP_FLAGS_HW_MODE`: offloaded to the device.
    package static let hardwareMode = XDPFlags(rawValue: 1 << 3)
}
