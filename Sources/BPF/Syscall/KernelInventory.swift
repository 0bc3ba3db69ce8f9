internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// Listing the maps loaded in the kernel.
extension KernelMap {
    /// The ids of every map in the kernel, ascending.
    ///
    /// Corresponds to `bpf_map_get_next_id`.
    package static func allIDs() -> [UInt32] {
        var ids: [UInt32] = []
        var current: UInt32 = 0
        while bpf_map_get_next_id(current, &current) == 0 { ids.append(current) }
        return ids
    }
}

/// Listing and opening the links in the kernel.
extension KernelLink {
    /// The ids of every link in the kernel, ascending.
    ///
    /// Corresponds to `bpf_link_get_next_id`.
    package static func allIDs() -> [UInt32] {
        var ids: [UInt32] = []
        var current: UInt32 = 0
        while bpf_link_get_next_id(current, &current) == 0 { ids.append(current) }
        return ids
    }

    /// Opens the link with kernel id `id`.
    ///
    /// Corresponds to `bpf_link_get_fd_by_id`.
    /// - Throws: `.notFound` when the link is gone.
    package static func open(id: UInt32) throws(BPFError) -> OwnedDescriptor {
        let fd = bpf_link_get_fd_by_id(id)
        guard fd >= 0 else { throw BPFError.syscall("open link \(id)", call: "BPF_LINK_GET_FD_BY_ID", errno: .lastError) }
        return OwnedDescriptor(fd)
    }
}
