internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// Reading link info from the kernel, opening and detaching links.
extension KernelLink {
    /// Reads the info of the link `fd` refers to.
    ///
    /// Corresponds to `bpf_obj_get_info_by_fd` on a link.
    package init(fd: borrowing OwnedDescriptor) throws(BPFError) {
        var info = bpf_link_info()
        var length = UInt32(MemoryLayout<bpf_link_info>.size)
        let result = bpf_obj_get_info_by_fd(fd.rawValue, &info, &length)
        guard result == 0 else { throw BPFError.syscall("read link info", call: "BPF_OBJ_GET_INFO_BY_FD", errno: Errno(rawValue: -result)) }
        self.init(id: info.id, programID: ProgramID(info.prog_id), type: LinkType(rawValue: info.type))
        // The per-type union starts after type, id and prog_id; tcx
        // postdates the system header, so the union is read raw.
        withUnsafeBytes(of: info) { raw in
            let union = 16
            switch type {
            case .tracing: // attach_type, target_obj_id, target_btf_id
                attachType = raw.load(fromByteOffset: union, as: UInt32.self)
                targetObjectID = raw.load(fromByteOffset: union + 4, as: UInt32.self)
                targetBTFID = raw.load(fromByteOffset: union + 8, as: UInt32.self)
            case .cgroup: // cgroup_id, attach_type
                cgroupID = raw.load(fromByteOffset: union, as: UInt64.self)
                attachType = raw.load(fromByteOffset: union + 8, as: UInt32.self)
            case .netns: // netns_ino, attach_type
                netnsInode = raw.load(fromByteOffset: union, as: UInt32.self)
                attachType = raw.load(fromByteOffset: union + 4, as: UInt32.self)
            case .xdp: // ifindex
                ifindex = raw.load(fromByteOffset: union, as: UInt32.self)
            case .tcx, .netkit: // ifindex, attach_type
                ifindex = raw.load(fromByteOffset: union, as: UInt32.self)
                attachType = raw.load(fromByteOffset: union + 4, as: UInt32.self)
            default:
                break
            }
        }
    }

    /// Opens the link pinned at `path`.
    package static func openPinned(_ path: String) throws(BPFError) -> OwnedDescriptor {
        try Pins.open(path, what: "link")
    }

    /// Detaches the link `fd` refers to, even while other references exist.
    ///
    /// Corresponds to `bpf_link_detach` (`BPF_LINK_DETACH`).
    package static func detach(_ fd: borrowing OwnedDescriptor) throws(BPFError) {
        let result = bpf_link_detach(fd.rawValue)
        if result < 0 {
            let errno = Errno(rawValue: -result)
            // Perf-event links cannot be force-detached; closing the last
            // reference (the pin and this fd) releases them.
            if errno == .notSupported || errno == .invalidArgument { return }
            throw BPFError.syscall("detach link", call: "BPF_LINK_DETACH", errno: errno)
        }
    }
}

extension KernelLink {
    /// The ids of every link in the kernel, ascending.
    ///
    /// Corresponds to `bpf_link_get_next_id`.
    package static func allIDs() -> [UInt32] { Libbpf.allIDs(bpf_link_get_next_id) }

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
