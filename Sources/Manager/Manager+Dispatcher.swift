import BPF
import Diagnostics
import LinuxSys
import Logs
import Model
import Store

/// One program in a dispatcher revision being built.
private struct DispatcherMember {
    /// The member's link record; nil for the link being attached.
    var link: LinkRecord?
    var linkID: LinkID
    var program: ProgramRecord
    var priority: Int32
    var proceedOn: ProceedOn
}

/// Where a member ended up in a new revision.
private struct PlacedMember {
    var linkID: LinkID
    var kernelLinkID: UInt32
    var pinPath: String
    var position: Int32
}

extension Manager {
    /// The dispatchers bpfman runs, optionally only those of `type`, in
    /// namespace `nsid` or on interface `ifindex`.
    package func dispatchers(type: DispatcherType? = nil, nsid: UInt64? = nil, ifindex: InterfaceIndex? = nil) throws(ManagerError) -> [DispatcherView] {
        let records = try stored { () throws(StoreError) in try store.dispatchers() }.filter {
            (type == nil || $0.key.type == type) && (nsid == nil || $0.key.nsid == nsid) && (ifindex == nil || $0.key.ifindex == ifindex)
        }
        let links = try stored { () throws(StoreError) in try store.links() }
        return records.map { record in
            let members = links.filter { Self.dispatcherPlace(of: $0)?.key == record.key }
            return DispatcherView(record: record, members: members.sorted {
                ($0.details.chainSlot?.position ?? 0) < ($1.details.chainSlot?.position ?? 0)
            })
        }
    }

    /// The dispatcher for `key`.
    ///
    /// - Throws: `.notFound` (`dispatcher (xdp, N, M): record not found`).
    package func dispatcher(_ key: DispatcherKey) throws(ManagerError) -> DispatcherView {
        guard let view = try dispatchers(type: key.type, nsid: key.nsid, ifindex: key.ifindex).first else {
            throw ManagerError(.notFound, "\(describe(key)): record not found")
        }
        return view
    }

    /// Removes the dispatcher for `key` with every link it runs.
    ///
    /// - Throws: `.notFound` for an unknown dispatcher.
    package func deleteDispatcher(_ key: DispatcherKey) throws(ManagerError) {
        try writing { () throws(ManagerError) in
            let view = try dispatcher(key)
            try removeDispatcher(view.record)
            for link in view.members {
                try stored { () throws(StoreError) in try store.deleteLink(link.id) }
            }
        }
    }

}

extension Manager {
    /// The cls_bpf priority of bpfman's TC dispatcher filters.
    static let tcDispatcherPriority: UInt32 = 50

    /// Whether XDP and TC attaches go through dispatchers: they need
    /// freplace, and without it an interface takes one program directly.
    var dispatchersAvailable: Bool {
        (try? KernelFeatures.shared.availability(of: .freplace)) == .available
    }

    /// Loads the program `selection` names from the prepared `object`. XDP
    /// and TC programs load as extensions of the dispatcher slots where the
    /// kernel has freplace, as the reference does, so the program id the
    /// user gets is the one each dispatcher revision runs; elsewhere, and
    /// for other types, a program loads as its own type.
    func loadProgram(_ object: BPFObject, _ selection: ProgramSelection) throws(BPFError) -> OwnedDescriptor {
        let kind: DispatcherKind
        switch selection.type {
        case .xdp: kind = .xdp
        case .tc: kind = .tc
        default: return try object.load(program: selection.name)
        }
        guard dispatchersAvailable else { return try object.load(program: selection.name) }
        return try DispatcherProgram.loadExtension(object, program: selection.name, kind: kind)
    }

    /// Attaches `program` to the dispatcher for `key`, building the
    /// dispatcher on first use, and returns the new member's attachment.
    func attachToDispatcher(_ program: ProgramRecord, key: DispatcherKey, target: InterfaceTarget, priority: Int32,
                            proceedOn: ProceedOn, linkID: LinkID) throws(ManagerError) -> Attachment {
        var members = try dispatcherMembers(key)
        members.append(DispatcherMember(link: nil, linkID: linkID, program: program, priority: priority, proceedOn: proceedOn))
        guard members.count <= DispatcherKind.slotCount else {
            throw ManagerError(.failedPrecondition, "\(describe(key, interface: target.interface)) is full: no free dispatcher slots: it holds at most \(DispatcherKind.slotCount) programs; detach one first")
        }
        let (dispatcher, placed) = try rebuildDispatcher(key, target: target, members: members)
        guard let dispatcher, let mine = placed.first(where: { $0.linkID == linkID }) else {
            throw ManagerError(.internal, "attach program \(program.id): the new dispatcher revision lost it")
        }
        let membership = DispatcherMembership(dispatcherID: dispatcher.id, revision: dispatcher.revision)
        let details: LinkDetails
        if let direction = key.type.direction {
            details = .tc(TCDetails(target: target, direction: direction, priority: priority, position: mine.position, proceedOn: proceedOn,
                                    handle: dispatcher.filterHandle ?? 0, filterPriority: dispatcher.filterPriority ?? 0, dispatcher: membership))
        } else {
            details = .xdp(XDPDetails(target: target, priority: priority, position: mine.position, proceedOn: proceedOn, dispatcher: membership))
        }
        return Attachment(kernelLinkID: mine.kernelLinkID, pinPath: mine.pinPath, details: details)
    }

    /// Takes link `link` out of its dispatcher: the others move to a new
    /// revision, or the dispatcher goes when it was the last member.
    ///
    /// When the interface or its namespace is gone, so are the dispatcher and
    /// its links in the kernel: the link is only forgotten, and the last one
    /// takes the dispatcher's record and pins with it.
    func detachFromDispatcher(_ link: LinkRecord, key: DispatcherKey, target: InterfaceTarget) throws(ManagerError) {
        let members = try dispatcherMembers(key).filter { $0.linkID != link.id }
        guard Self.interfaceExists(target) else {
            if members.isEmpty, let dispatcher = try stored({ () throws(StoreError) in try store.dispatcher(key) }) {
                try removeDispatcher(dispatcher)
            }
            return
        }
        _ = try rebuildDispatcher(key, target: target, members: members)
    }

    /// Whether `target`'s namespace still exists and still has the interface.
    private static func interfaceExists(_ target: InterfaceTarget) -> Bool {
        guard (try? NetworkNamespace.inode(target.netns)) == target.nsid else { return false }
        let index = try? NetworkNamespace.run(in: target.netns) { try NetworkNamespace.interfaceIndex(target.interface) }
        return index == target.ifindex
    }

    /// The dispatcher key and interface of an XDP or TC link that runs in a
    /// dispatcher, nil for other links.
    static func dispatcherPlace(of link: LinkRecord) -> (key: DispatcherKey, target: InterfaceTarget)? {
        switch link.details {
        case .xdp(let details) where details.dispatcher != nil:
            return (DispatcherKey(type: .xdp, nsid: details.target.nsid, ifindex: details.target.ifindex), details.target)
        case .tc(let details) where details.dispatcher != nil:
            return (DispatcherKey(type: DispatcherType(tc: details.direction), nsid: details.target.nsid, ifindex: details.target.ifindex), details.target)
        default:
            return nil
        }
    }

    /// `dispatcher (xdp, <nsid>, <ifindex>)` as messages name it.
    func describe(_ key: DispatcherKey, interface: String? = nil) -> String {
        "dispatcher (\(key.type.rawValue), \(key.nsid), \(key.ifindex))" + (interface.map { " on \($0)" } ?? "")
    }

    /// The recorded members of the dispatcher for `key`.
    private func dispatcherMembers(_ key: DispatcherKey) throws(ManagerError) -> [DispatcherMember] {
        let links = try stored { () throws(StoreError) in try store.links() }
        var members: [DispatcherMember] = []
        for link in links {
            guard let place = Self.dispatcherPlace(of: link), place.key == key else { continue }
            guard let slot = link.details.chainSlot,
                  let program = try stored({ () throws(StoreError) in try store.program(link.programID) }) else { continue }
            members.append(DispatcherMember(link: link, linkID: link.id, program: program, priority: slot.priority, proceedOn: slot.proceedOn))
        }
        return members
    }

    /// Builds the next revision of the dispatcher for `key` with `members`,
    /// swaps it in atomically and retires the old one; with no members the
    /// dispatcher is removed.
    ///
    /// Members run in priority order, then by program name, then by link id.
    /// Until the swap the old revision keeps running untouched, so a failure
    /// leaves the interface as it was.
    /// - Returns: the dispatcher as recorded (nil once removed) and where
    ///   each member was placed.
    private func rebuildDispatcher(_ key: DispatcherKey, target: InterfaceTarget,
                                   members unordered: [DispatcherMember]) throws(ManagerError) -> (DispatcherRecord?, [PlacedMember]) {
        let old = try stored { () throws(StoreError) in try store.dispatcher(key) }
        guard !unordered.isEmpty else {
            if let old { try removeDispatcher(old) }
            return (nil, [])
        }
        let members = unordered.sorted {
            ($0.priority, $0.program.name, $0.linkID.rawValue) < ($1.priority, $1.program.name, $1.linkID.rawValue)
        }
        let kind: DispatcherKind = key.type == .xdp ? .xdp : .tc
        let revision = (old?.revision ?? 0) + 1
        let directory = layout.dispatcherRevision(key, revision: revision)
        var swapped = false
        do {
            Logger.bpfman(.manager).attempt("clearing a leftover dispatcher revision", metadata: [LogKey.path: .string(directory)]) {
                try FileSystem.removeTree(directory)
            }
            try FileSystem.createDirectories(directory)
            let config = DispatcherConfig(kind: kind, slots: members.map {
                DispatcherConfig.Slot(chainCallActions: $0.proceedOn.bitmask(for: key.type), priority: UInt32(clamping: $0.priority))
            })
            let dispatcher = try DispatcherProgram.load(config)
            try Pins.pin(dispatcher, at: directory + "/dispatcher")
            var placed: [PlacedMember] = []
            for (position, member) in members.enumerated() {
                let extensionProgram = try memberProgram(member.program)
                let link = try ExtensionLink.attach(program: extensionProgram, target: dispatcher, function: DispatcherKind.slotFunction(position))
                let pin = "\(directory)/link_\(position)"
                try Pins.pin(link, at: pin)
                placed.append(PlacedMember(linkID: member.linkID, kernelLinkID: try KernelLink(fd: link).id, pinPath: pin, position: Int32(position)))
            }
            var record = old ?? DispatcherRecord(id: 0, key: key, revision: 0, programID: ProgramID(0), kernelLinkID: nil, filterPriority: nil,
                                                 filterHandle: nil, interface: target.interface, netns: target.netns)
            try swapIn(dispatcher, record: &record, target: target)
            swapped = true
            record.revision = revision
            record.programID = try KernelProgram(fd: dispatcher).id
            // A new dispatcher's id comes from the store, so the member
            // details are built from the saved row, in the same transaction.
            let saved = try stored { () throws(StoreError) in
                try store.save(record) { id in
                    members.compactMap { member -> LinkRecord? in
                        guard var link = member.link, let place = placed.first(where: { $0.linkID == member.linkID }) else { return nil }
                        link.kernelLinkID = place.kernelLinkID
                        link.pinPath = place.pinPath
                        link.details = Self.placing(link.details, position: place.position,
                                                    membership: DispatcherMembership(dispatcherID: id, revision: revision))
                        return link
                    }
                }
            }
            if let old { retireRevision(key, revision: old.revision) }
            return (saved, placed)
        } catch {
            if swapped, let old {
                // Put the old revision back before its replacement goes.
                Logger.bpfman(.manager).attempt("putting back \(describe(key, interface: target.interface)) revision \(old.revision)") {
                    try swapBack(old, target: target)
                }
            } else if swapped {
                Logger.bpfman(.manager).attempt("removing the new \(describe(key, interface: target.interface))") {
                    try removeAttachment(of: key, target: target, filterHandle: nil)
                }
            }
            retireRevision(key, revision: revision)
            throw (error as? ManagerError) ?? ManagerError(error, context: "build \(describe(key, interface: target.interface)) revision \(revision)")
        }
    }

    /// The extension program for `program`'s slot: the program itself,
    /// loaded as a dispatcher extension, which every revision re-targets.
    private func memberProgram(_ program: ProgramRecord) throws(ManagerError) -> OwnedDescriptor {
        let context = "attach program \(program.id) (\(program.name)) to a dispatcher"
        let fd: OwnedDescriptor
        do { fd = try Pins.open(layout.programPin(program.id), what: "program") } catch { throw ManagerError(error, context: context) }
        let kernelType: String
        do { kernelType = try KernelProgram(fd: fd).typeName } catch { throw ManagerError(error, context: context) }
        guard kernelType == "extension" else {
            throw ManagerError(.failedPrecondition, "program \(program.id) (\(program.name)) was loaded as \(kernelType), not as a dispatcher extension, which only a kernel with freplace loads; unload it and load it again")
        }
        return fd
    }

    /// Makes `dispatcher` the program the interface runs: a new XDP link or
    /// TC filter for a new dispatcher, an atomic replacement otherwise.
    private func swapIn(_ dispatcher: borrowing OwnedDescriptor, record: inout DispatcherRecord, target: InterfaceTarget) throws(ManagerError) {
        let key = record.key
        let ifindex = target.ifindex
        if let direction = key.type.direction {
            let egress = direction == .egress
            if let priority = record.filterPriority, let handle = record.filterHandle {
                try inNamespace(target.netns) { () throws(BPFError) in
                    try TCFilter.replace(program: dispatcher, ifindex: ifindex, egress: egress, handle: TCFilter.Handle(handle: handle, priority: priority))
                }
            } else {
                let handle = try inNamespace(target.netns) { () throws(BPFError) in
                    try TCFilter.attach(program: dispatcher, ifindex: ifindex, egress: egress, priority: Self.tcDispatcherPriority)
                }
                record.filterPriority = handle.priority
                record.filterHandle = handle.handle
            }
            return
        }
        let linkPin = layout.xdpDispatcherLink(key)
        let existing: OwnedDescriptor?
        do { existing = record.id != 0 ? try pinnedLink(at: linkPin) : nil } catch { throw ManagerError(error, context: "open \(linkPin)") }
        if let link = existing {
            try inNamespace(target.netns) { () throws(BPFError) in try XDPLink.update(link: link, program: dispatcher) }
            return
        }
        if let foreign = try inNamespace(target.netns, { () throws(BPFError) in XDPLink.attachedProgram(ifindex: ifindex) }) {
            throw ManagerError(.alreadyExists, "\(target.interface) already runs XDP program \(foreign), which bpfman did not load; bpfman's dispatcher does not replace it: remove it first")
        }
        let link = try inNamespace(target.netns) { () throws(BPFError) in try XDPLink.attach(program: dispatcher, ifindex: ifindex) }
        do {
            try Pins.pin(link, at: linkPin)
            record.kernelLinkID = try KernelLink(fd: link).id
        } catch {
            Logger.bpfman(.manager).attempt("detaching the unpinned XDP dispatcher link on \(target.interface)") { try KernelLink.detach(link) }
            throw ManagerError(error)
        }
    }

    /// Points the interface back at `old`'s revision after a failed change.
    private func swapBack(_ old: DispatcherRecord, target: InterfaceTarget) throws(ManagerError) {
        var record = old
        do {
            let program = try Pins.open(layout.dispatcherRevision(old.key, revision: old.revision) + "/dispatcher", what: "dispatcher")
            try swapIn(program, record: &record, target: target)
        } catch {
            throw ManagerError(error)
        }
    }

    /// Removes a dispatcher: its XDP link or TC filter, its pins, its record.
    private func removeDispatcher(_ dispatcher: DispatcherRecord) throws(ManagerError) {
        let target = InterfaceTarget(interface: dispatcher.interface, ifindex: dispatcher.key.ifindex, netns: dispatcher.netns, nsid: dispatcher.key.nsid)
        try removeAttachment(of: dispatcher.key, target: target, filterHandle: dispatcher.filterHandle.flatMap { handle in
            dispatcher.filterPriority.map { TCFilter.Handle(handle: handle, priority: $0) }
        })
        retireRevision(dispatcher.key, revision: dispatcher.revision)
        try stored { () throws(StoreError) in try store.deleteDispatcher(dispatcher.key) }
    }

    /// Takes the dispatcher for `key` off the interface.
    private func removeAttachment(of key: DispatcherKey, target: InterfaceTarget, filterHandle: TCFilter.Handle?) throws(ManagerError) {
        if let direction = key.type.direction {
            guard let filterHandle else { return }
            do {
                try NetworkNamespace.run(in: target.netns) {
                    try TCFilter.detach(ifindex: target.ifindex, egress: direction == .egress, handle: filterHandle)
                }
            } catch let error as NetworkNamespaceEntryError where !error.threadTainted {
                // The namespace is gone, and with it the interface and its filters.
            } catch {
                throw ManagerError(error, context: "detach \(describe(key, interface: target.interface))")
            }
            return
        }
        let linkPin = layout.xdpDispatcherLink(key)
        do {
            // A link whose interface is gone is already detached.
            if let link = try pinnedLink(at: linkPin), Self.interfaceExists(target) { try KernelLink.detach(link) }
            if FileSystem.exists(linkPin) { try Pins.unpin(linkPin) }
        } catch {
            throw ManagerError(error, context: "detach \(describe(key, interface: target.interface))")
        }
    }

    /// Unpins one revision's program and member links; the kernel frees
    /// them once nothing else holds them.
    func retireRevision(_ key: DispatcherKey, revision: UInt32) {
        let directory = layout.dispatcherRevision(key, revision: revision)
        let log = Logger.bpfman(.manager)
        log.attempt("removing dispatcher revision \(revision)", metadata: [LogKey.path: .string(directory)]) { try FileSystem.removeTree(directory) }
        let root = layout.dispatcherRoot(key.type)
        if (try? FileSystem.listDirectory(root))?.isEmpty == true {
            log.attempt("removing the empty dispatcher directory", metadata: [LogKey.path: .string(root)]) { try FileSystem.remove(root) }
        }
    }

    /// `details` with the member's new position and revision.
    private static func placing(_ details: LinkDetails, position: Int32, membership: DispatcherMembership) -> LinkDetails {
        switch details {
        case .xdp(var xdp):
            xdp.position = position
            xdp.dispatcher = membership
            return .xdp(xdp)
        case .tc(var tc):
            tc.position = position
            tc.dispatcher = membership
            return .tc(tc)
        default:
            return details
        }
    }
}
