import Diagnostics
import LinuxSys
import Model
import SystemPackage

/// tcx links: multi-program TC attachment with kernel-side ordering.
package enum TCXLink {
    /// Where to insert a program among those already attached.
    package enum Placement: Sendable, Equatable {
        /// Before the program with this id.
        case before(UInt32)
        /// After the program with this id.
        case after(UInt32)
        /// At the end of the chain.
        case last
    }

    /// Attaches `program` to `ifindex` at `placement`.
    ///
    /// Requires kernel feature ``KernelFeature/tcxLink``.
    package static func attach(program: borrowing OwnedDescriptor, ifindex: InterfaceIndex, egress: Bool, placement: Placement) throws(BPFError) -> OwnedDescriptor {
        try KernelFeatures.shared.require(.tcxLink)
        let (flags, relative): (UInt32, UInt32) = switch placement {
        case .before(let id): (RawBPF.before | RawBPF.byID, id)
        case .after(let id): (RawBPF.after | RawBPF.byID, id)
        case .last: (RawBPF.after, 0)
        }
        do {
            return try RawBPF.tcxLinkCreate(program: program, ifindex: ifindex, egress: egress, flags: flags, relativeProgramID: relative)
        } catch {
            throw BPFError.syscall("attach tcx to ifindex \(ifindex)", call: "BPF_LINK_CREATE", errno: error)
        }
    }

    /// The program ids attached through tcx on `ifindex`, in run order.
    package static func chain(ifindex: InterfaceIndex, egress: Bool) throws(BPFError) -> [UInt32] {
        do {
            return try RawBPF.tcxQuery(ifindex: ifindex, egress: egress).map(\.programID)
        } catch {
            throw BPFError.syscall("query tcx on ifindex \(ifindex)", call: "BPF_PROG_QUERY", errno: error)
        }
    }
}
