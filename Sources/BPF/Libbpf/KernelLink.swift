internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// What the kernel reports about a BPF link (`struct bpf_link_info`).
package struct KernelLink: Sendable, Equatable {
    /// The kernel link id.
    package var id: UInt32
    /// The program the link runs.
    package var programID: ProgramID
    /// The link type number (`BPF_LINK_TYPE_*`).
    package var type: UInt32
    /// The attach type (tcx, xdp and tracing links), 0 otherwise.
    package var attachType: UInt32?
    /// The interface (xdp, tcx), 0 otherwise.
    package var ifindex: UInt32
    /// The network namespace inode (netns links), 0 otherwise.
    package var netnsInode: UInt32
    /// The target object id (tracing links), 0 otherwise.
    package var targetObjectID: UInt32
    /// The target BTF id (tracing links), 0 otherwise.
    package var targetBTFID: UInt32
    /// The cgroup id (cgroup links), 0 otherwise.
    package var cgroupID: UInt64

    /// The link type's name (`perf_event`, `tcx`, ...).
    package var typeName: String { KernelNames.linkType(type) }

    /// Reads the info of the link `fd` refers to.
    ///
    /// Corresponds to `bpf_obj_get_info_by_fd` on a link.
    package init(fd: borrowing OwnedDescriptor) throws(BPFError) {
        var info = bpf_link_info()
        var length = UInt32(MemoryLayout<bpf_link_info>.size)
        let result = bpf_obj_get_info_by_fd(fd.rawValue, &info, &length)
        guard result == 0 else { throw BPFError.syscall("read link info", call: "BPF_OBJ_GET_INFO_BY_FD", errno: Errno(rawValue: -result)) }
        id = info.id
        programID = ProgramID(info.prog_id)
        type = info.type
        attachType = nil
        ifindex = 0
        netnsInode = 0
        targetObjectID = 0
        targetBTFID = 0
        cgroupID = 0
        // The per-type union starts after type, id and prog_id; tcx (type 11)
        // postdates the system header, so its ifindex/attach_type are read raw.
        withUnsafeBytes(of: info) { raw in
            let union = 16
            switch type {
            case 2: // tracing: attach_type, target_obj_id, target_btf_id
                attachType = raw.load(fromByteOffset: union, as: UInt32.self)
                targetObjectID = raw.load(fromByteOffset: union + 4, as: UInt32.self)
                targetBTFID = raw.load(fromByteOffset: union + 8, as: UInt32.self)
            case 3: // cgroup: cgroup_id, attach_type
                cgroupID = raw.load(fromByteOffset: union, as: UInt64.self)
                attachType = raw.load(fromByteOffset: union + 8, as: UInt32.self)
            case 5: // netns: netns_ino, attach_type
                netnsInode = raw.load(fromByteOffset: union, as: UInt32.self)
                attachType = raw.load(fromByteOffset: union + 4, as: UInt32.self)
            case 6: // xdp: ifindex
                ifindex = raw.load(fromByteOffset: union, as: UInt32.self)
            case 11, 13: // tcx, netkit: ifindex, attach_type
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
