import BPF
import Diagnostics
import LinuxSys
import Model
import SystemPackage
import Store

extension Manager {
    /// The interface `name` in `netns`, with the namespace's inode.
    private func interfaceTarget(_ name: String, netns: String?) throws(ManagerError) -> InterfaceTarget {
        do {
            let index = try NetworkNamespace.run(in: netns) { try NetworkNamespace.interfaceIndex(name) }
            let nsid = try NetworkNamespace.inode(netns)
            return InterfaceTarget(interface: name, ifindex: index, netns: netns ?? "", nsid: nsid)
        } catch let error as NetworkNamespaceEntryError {
            throw ManagerError(ErrorCode(errno: error.errno), "resolve interface \"\(name)\" in netns \"\(error.path)\": open netns: \(error.reason)",
                               cause: Self.cause(of: error))
        } catch let errno as Errno {
            throw ManagerError(.notFound, "resolve interface \"\(name)\" in netns \"\(netns ?? "")\": route ip+net: no such network interface: \(errno.lowercasedDescription)")
        } catch {
            throw ManagerError(error, context: "resolve interface \"\(name)\"")
        }
    }

    /// Runs a kernel attach inside `netns`, mapping failures.
    func inNamespace<T: ~Copyable>(_ netns: String?, _ body: () throws(BPFError) -> T) throws(ManagerError) -> T {
        do {
            return try NetworkNamespace.run(in: netns, body)
        } catch let error as NetworkNamespaceEntryError {
            throw ManagerError(ErrorCode(errno: error.errno), "enter netns \"\(error.path)\": \(error.reason)", cause: Self.cause(of: error))
        } catch {
            throw ManagerError(error)
        }
    }

    /// A namespace that could not be entered, as a cause: the step and `setns`.
    private static func cause(of error: NetworkNamespaceEntryError) -> ErrorCause {
        ErrorCause(step: "enter netns \(error.path)", syscall: SyscallError(call: "setns", errno: error.errno))
    }

    /// The bpfman links of `kind` on the same interface and direction.
    private func peers(kind: ProgramType, on target: InterfaceTarget, direction: TCDirection?) throws(ManagerError) -> [LinkRecord] {
        try stored { () throws(StoreError) in try store.links() }.filter { link in
            switch link.details {
            case .tcx(let details): kind == .tcx && details.target.nsid == target.nsid && details.target.ifindex == target.ifindex && details.direction == direction
            case .tc(let details): kind == .tc && details.target.nsid == target.nsid && details.target.ifindex == target.ifindex && details.direction == direction
            case .xdp(let details): kind == .xdp && details.target.nsid == target.nsid && details.target.ifindex == target.ifindex
            default: false
            }
        }
    }

    /// Refuses a second XDP or TC program on an interface of a kernel
    /// without freplace, which bpfman's dispatchers are built from.
    private func refuseSecondProgram(_ kind: ProgramType, on target: InterfaceTarget, direction: TCDirection?) throws(ManagerError) {
        guard let existing = try peers(kind: kind, on: target, direction: direction).first else { return }
        let place = direction.map { "\(target.interface) \($0.rawValue)" } ?? target.interface
        var why = KernelFeature.freplace.requirement
        if case .missing(let evidence)? = try? KernelFeatures.shared.availability(of: .freplace) { why = evidence }
        throw ManagerError(.unsupported, "program \(existing.programID) is already attached to \(place) as link \(existing.id); multiple \(kind.rawValue) programs per interface need bpfman's dispatcher, and kernel feature \(KernelFeature.freplace.name) is not available on this kernel (\(why)); detach it first or use tcx")
    }

    func attachXDP(_ program: ProgramRecord, interface: String, priority: Int32, proceedOn: ProceedOn, netns: String?, linkID: LinkID) throws(ManagerError) -> Attachment {
        let target = try interfaceTarget(interface, netns: netns)
        if dispatchersAvailable {
            return try attachToDispatcher(program, key: DispatcherKey(type: .xdp, nsid: target.nsid, ifindex: target.ifindex), target: target,
                                          priority: priority, proceedOn: proceedOn, linkID: linkID)
        }
        try refuseSecondProgram(.xdp, on: target, direction: nil)
        let details = LinkDetails.xdp(XDPDetails(target: target, priority: priority, position: 0, proceedOn: proceedOn))
        return try attachPinned(program, pinPath: layout.linkPin(linkID), details: details) { (fd) throws(BPFError) in
            try inNamespaceBPF(netns) { () throws(BPFError) in try XDPLink.attach(program: fd, ifindex: target.ifindex) }
        }
    }

    func attachTC(_ program: ProgramRecord, interface: String, direction: TCDirection, priority: Int32, proceedOn: ProceedOn, netns: String?,
                  linkID: LinkID) throws(ManagerError) -> Attachment {
        let target = try interfaceTarget(interface, netns: netns)
        if dispatchersAvailable {
            return try attachToDispatcher(program, key: DispatcherKey(type: DispatcherType(tc: direction), nsid: target.nsid, ifindex: target.ifindex),
                                          target: target, priority: priority, proceedOn: proceedOn, linkID: linkID)
        }
        try refuseSecondProgram(.tc, on: target, direction: direction)
        let fd = try openProgram(program.id)
        let filterPriority = UInt32(min(max(priority, 1), 65535))
        let handle = try inNamespace(netns) { () throws(BPFError) in
            try TCFilter.attach(program: fd, ifindex: target.ifindex, egress: direction == .egress, priority: filterPriority)
        }
        let details = LinkDetails.tc(TCDetails(target: target, direction: direction, priority: priority, position: 0, proceedOn: proceedOn,
                                               handle: handle.handle, filterPriority: handle.priority))
        return Attachment(kernelLinkID: nil, pinPath: nil, details: details)
    }

    func attachTCX(_ program: ProgramRecord, interface: String, direction: TCDirection, priority: Int32, netns: String?) throws(ManagerError) -> Attachment {
        let target = try interfaceTarget(interface, netns: netns)
        let peers = try peers(kind: .tcx, on: target, direction: direction)
        if let existing = peers.first(where: { $0.programID == program.id }) {
            throw ManagerError(.alreadyExists, "program \(program.id) is already attached to \(interface) \(direction.rawValue) as link \(existing.id); detach it first")
        }
        // Lower priority runs first; equal priorities keep attach order.
        let ordered = peers.compactMap { link -> (Int32, LinkID, ProgramID)? in
            if case .tcx(let details) = link.details { return (details.priority, link.id, link.programID) }
            return nil
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let placement: TCXLink.Placement
        if let next = ordered.first(where: { $0.0 > priority }) {
            placement = .before(next.2.rawValue)
        } else if let last = ordered.last {
            placement = .after(last.2.rawValue)
        } else {
            placement = .last
        }
        let pinPath = layout.tcxPin(direction: direction, nsid: target.nsid, ifindex: target.ifindex, program: program.id)
        var attachment = try attachPinned(program, pinPath: pinPath,
                                          details: .tcx(TCXDetails(target: target, direction: direction, priority: priority, position: 0))) { (fd) throws(BPFError) in
            try inNamespaceBPF(netns) { () throws(BPFError) in
                try TCXLink.attach(program: fd, ifindex: target.ifindex, egress: direction == .egress, placement: placement)
            }
        }
        let chain = (try? inNamespaceBPF(netns) { () throws(BPFError) in
            try TCXLink.chain(ifindex: target.ifindex, egress: direction == .egress)
        }) ?? []
        let position = Int32(chain.firstIndex(of: program.id.rawValue) ?? 0)
        attachment.details = .tcx(TCXDetails(target: target, direction: direction, priority: priority, position: position))
        return attachment
    }

    /// Opens the pinned program `id`.
    private func openProgram(_ id: ProgramID) throws(ManagerError) -> OwnedDescriptor {
        do { return try Pins.open(layout.programPin(id), what: "program") } catch { throw ManagerError(error) }
    }

    /// Runs `body` inside `netns`, keeping BPF errors as they are.
    private func inNamespaceBPF<T: ~Copyable>(_ netns: String?, _ body: () throws(BPFError) -> T) throws(BPFError) -> T {
        do {
            return try NetworkNamespace.run(in: netns, body)
        } catch let error as NetworkNamespaceEntryError {
            throw BPFError(code: ErrorCode(errno: error.errno), message: "enter netns \"\(error.path)\": \(error.reason)")
        } catch let error as BPFError {
            throw error
        } catch {
            throw BPFError(code: .internal, message: "\(error)")
        }
    }
}
