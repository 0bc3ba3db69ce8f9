/// What the kernel reports about a BPF link (`struct bpf_link_info`). The
/// kernel layer reads it; the CLI and the server render it.
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
    package var ifindex: UInt32 = 0
    /// The network namespace inode (netns links), 0 otherwise.
    package var netnsInode: UInt32 = 0
    /// The target object id (tracing links), 0 otherwise.
    package var targetObjectID: UInt32 = 0
    /// The target BTF id (tracing links), 0 otherwise.
    package var targetBTFID: UInt32 = 0
    /// The cgroup id (cgroup links), 0 otherwise.
    package var cgroupID: UInt64 = 0

    /// The link type's name (`perf_event`, `tcx`, ...).
    package var typeName: String { KernelNames.linkType(type.rawValue) }

    /// A link of `type` running `programID`; the type-specific fields start
    /// empty and the kernel layer fills those the kernel reports.
    package init(id: UInt32, programID: ProgramID, type: LinkType) {
        self.id = id; self.programID = programID; self.type = type
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
