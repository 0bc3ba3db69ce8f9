/// What a link is attached to, per kind (cli.md §4.3 `details`).
package enum LinkDetails: Sendable, Equatable, Codable {
    /// A uprobe or uretprobe.
    case uprobe(UprobeDetails)
    /// A tracepoint.
    case tracepoint(TracepointDetails)
    /// A kprobe or kretprobe.
    case kprobe(KprobeDetails)
    /// A tcx link.
    case tcx(TCXDetails)
    /// A TC filter.
    case tc(TCDetails)
    /// An XDP link.
    case xdp(XDPDetails)
    /// An fentry or fexit link on the load-time attach function.
    case tracing(TracingDetails)
    /// An LSM link on the load-time hook.
    case lsm(LSMDetails)
}

/// uprobe/uretprobe details.
package struct UprobeDetails: Sendable, Equatable, Codable {
    /// The target exactly as typed (`libc`, `/usr/bin/x`).
    package var target: String
    /// The probed function, if one was named.
    package var functionName: String?
    /// The offset added to the function (or the file offset without one).
    package var offset: UInt64
    /// The host pid filter, 0 for none.
    package var pid: Int32
    /// Whether it is a return probe.
    package var retprobe: Bool
    /// The container whose mount namespace resolved the target, 0 for the host.
    package var containerPID: Int32
    /// The file that was probed, as resolved (inside the container if any).
    package var resolvedPath: String
    /// The file offset that was probed.
    package var resolvedOffset: UInt64

    /// Creates uprobe details.
    package init(target: String, functionName: String?, offset: UInt64, pid: Int32, retprobe: Bool, containerPID: Int32,
                 resolvedPath: String, resolvedOffset: UInt64) {
        self.target = target
        self.functionName = functionName
        self.offset = offset
        self.pid = pid
        self.retprobe = retprobe
        self.containerPID = containerPID
        self.resolvedPath = resolvedPath
        self.resolvedOffset = resolvedOffset
    }
}

/// Tracepoint details.
package struct TracepointDetails: Sendable, Equatable, Codable {
    /// The tracepoint group (`syscalls`).
    package var group: String
    /// The tracepoint name (`sys_enter_kill`).
    package var name: String
    /// Creates tracepoint details.
    package init(group: String, name: String) { self.group = group; self.name = name }
}

/// kprobe/kretprobe details.
package struct KprobeDetails: Sendable, Equatable, Codable {
    /// The kernel function.
    package var functionName: String
    /// Offset into the function.
    package var offset: UInt64
    /// Whether it is a return probe.
    package var retprobe: Bool
    /// Creates kprobe details.
    package init(functionName: String, offset: UInt64, retprobe: Bool) {
        self.functionName = functionName; self.offset = offset; self.retprobe = retprobe
    }
}

/// Where a network attachment lives.
package struct InterfaceTarget: Sendable, Equatable, Codable {
    /// The interface name.
    package var interface: String
    /// The interface index in its namespace.
    package var ifindex: InterfaceIndex
    /// The network namespace path given, `""` for the host's.
    package var netns: String
    /// The network namespace inode.
    package var nsid: UInt64
    /// Creates an interface target.
    package init(interface: String, ifindex: InterfaceIndex, netns: String, nsid: UInt64) {
        self.interface = interface; self.ifindex = ifindex; self.netns = netns; self.nsid = nsid
    }
}

/// tcx details.
package struct TCXDetails: Sendable, Equatable, Codable {
    /// The interface.
    package var target: InterfaceTarget
    /// The direction.
    package var direction: TCDirection
    /// bpfman priority (lower runs first).
    package var priority: Int32
    /// Position in the kernel's chain when attached.
    package var position: Int32
    /// Creates tcx details.
    package init(target: InterfaceTarget, direction: TCDirection, priority: Int32, position: Int32) {
        self.target = target; self.direction = direction; self.priority = priority; self.position = position
    }
}

/// TC filter details.
package struct TCDetails: Sendable, Equatable, Codable {
    /// The interface.
    package var target: InterfaceTarget
    /// The direction.
    package var direction: TCDirection
    /// bpfman priority.
    package var priority: Int32
    /// Position among bpfman's programs on the interface.
    package var position: Int32
    /// The actions after which the next program runs.
    package var proceedOn: ProceedOn
    /// The cls_bpf filter handle.
    package var handle: UInt32
    /// The cls_bpf filter priority.
    package var filterPriority: UInt32
    /// The dispatcher revision running the program; nil for a program
    /// attached directly as the interface's only filter.
    package var dispatcher: DispatcherMembership?
    /// Creates TC details.
    package init(target: InterfaceTarget, direction: TCDirection, priority: Int32, position: Int32, proceedOn: ProceedOn,
                 handle: UInt32, filterPriority: UInt32, dispatcher: DispatcherMembership? = nil) {
        self.target = target; self.direction = direction; self.priority = priority; self.position = position
        self.proceedOn = proceedOn; self.handle = handle; self.filterPriority = filterPriority; self.dispatcher = dispatcher
    }
}

/// XDP details.
package struct XDPDetails: Sendable, Equatable, Codable {
    /// The interface.
    package var target: InterfaceTarget
    /// bpfman priority.
    package var priority: Int32
    /// Position among bpfman's programs on the interface.
    package var position: Int32
    /// The actions after which the next program runs.
    package var proceedOn: ProceedOn
    /// The dispatcher revision running the program; nil for a program
    /// attached directly as the interface's only XDP program.
    package var dispatcher: DispatcherMembership?
    /// Creates XDP details.
    package init(target: InterfaceTarget, priority: Int32, position: Int32, proceedOn: ProceedOn, dispatcher: DispatcherMembership? = nil) {
        self.target = target; self.priority = priority; self.position = position; self.proceedOn = proceedOn
        self.dispatcher = dispatcher
    }
}

/// fentry/fexit details.
package struct TracingDetails: Sendable, Equatable, Codable {
    /// The kernel function given at load.
    package var functionName: String
    /// Creates tracing details.
    package init(functionName: String) { self.functionName = functionName }
}

/// LSM details.
package struct LSMDetails: Sendable, Equatable, Codable {
    /// The LSM hook given at load.
    package var hookName: String
    /// Creates LSM details.
    package init(hookName: String) { self.hookName = hookName }
}
