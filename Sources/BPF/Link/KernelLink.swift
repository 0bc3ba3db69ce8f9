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
    /// The link type.
    package var type: LinkType
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
    package var typeName: String { KernelNames.linkType(type.rawValue) }

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
        type = LinkType(rawValue: info.type)
        attachType = nil
        ifindex = 0
        netnsInode = 0
        targetObjectID = 0
        targetBTFID = 0
        cgroupID = 0
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

/// A kernel link type (`BPF_LINK_TYPE_*`), including those newer than the
/// system headers.
package struct LinkType: RawRepresentable, Hashable, Sendable {
    /// The kernel's number.
    package let rawValue: UInt32
    /// Wraps the kernel's number.
    package init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `BPF_LINK_TYPE_RAW_TRACEPOINT`.
    package static let rawTracepoint = LinkType(rawValue: 1)
    /// `BPF_LINK_TYPE_TRACING`: fentry, fexit, LSM and freplace links.
    package static let tracing = LinkType(rawValue: 2)
    /// `BPF_LINK_TYPE_CGROUP`.
    package static let cgroup = LinkType(rawValue: 3)
    /// `BPF_LINK_TYPE_NETNS`.
    package static let netns = LinkType(rawValue: 5)
    /// `BPF_LINK_TYPE_XDP`.
    package static let xdp = LinkType(rawValue: 6)
    /// `BPF_LINK_TYPE_PERF_EVENT`: uprobes, kprobes, tracepoints.
    package static let perfEvent = LinkType(rawValue: 7)
    /// `BPF_LINK_TYPE_TCX`.
    package static let tcx = LinkType(rawValue: 11)
    /// `BPF_LINK_TYPE_UPROBE_MULTI`.
    package static let uprobeMulti = LinkType(rawValue: 12)
    /// `BPF_LINK_TYPE_NETKIT`.
    package static let netkit = LinkType(rawValue: 13)
}
