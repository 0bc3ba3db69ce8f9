import CLinuxShims
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// bpf(2) commands the system's libbpf 1.1 has no API for (tcx links and tcx
/// queries), issued through the C shim.
enum RawBPF {
    /// `BPF_TCX_INGRESS` / `BPF_TCX_EGRESS` attach types.
    static func tcxAttachType(egress: Bool) -> UInt32 { egress ? 47 : 46 }

    /// `BPF_F_BEFORE`: insert before the relative program.
    static let before: UInt32 = 1 << 3
    /// `BPF_F_AFTER`: insert after the relative program.
    static let after: UInt32 = 1 << 4
    /// `BPF_F_ID`: the relative object is given by id.
    static let byID: UInt32 = 1 << 5

    /// Creates a tcx link. Corresponds to `BPF_LINK_CREATE` with a tcx attach type.
    static func tcxLinkCreate(program: borrowing OwnedDescriptor, ifindex: InterfaceIndex, egress: Bool, flags: UInt32, relativeProgramID: UInt32) throws(Errno) -> OwnedDescriptor {
        OwnedDescriptor(try retryingOnInterrupt {
            cshim_bpf_link_create_tcx(program.rawValue, ifindex.rawValue, tcxAttachType(egress: egress), flags, relativeProgramID, 0)
        })
    }

    /// The programs attached through tcx on `ifindex`, in run order, with
    /// their link ids. Corresponds to `BPF_PROG_QUERY`.
    static func tcxQuery(ifindex: InterfaceIndex, egress: Bool) throws(Errno) -> [(programID: UInt32, linkID: UInt32)] {
        var capacity: UInt32 = 64
        while true {
            var programs = [UInt32](repeating: 0, count: Int(capacity))
            var links = [UInt32](repeating: 0, count: Int(capacity))
            var count = capacity
            var revision: UInt64 = 0
            let result = cshim_bpf_prog_query_tcx(ifindex.rawValue, tcxAttachType(egress: egress), &programs, &links, &count, &revision)
            if result != 0 {
                let errno = Errno.lastError
                if errno == .noSpace { capacity = count * 2; continue }
                throw errno
            }
            return (0..<Int(min(count, capacity))).map { (programs[$0], links[$0]) }
        }
    }

}
