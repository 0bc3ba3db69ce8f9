import BPF
import Diagnostics
import LinuxSys
import Logs
import Model
import Store
import Targets

extension Manager {
    /// Attaches a loaded program and records the link.
    ///
    /// A link id is consumed even when the attach fails. A successful
    /// attach writes the database once, after the kernel attach.
    /// - Throws: `.notFound` for an unknown program, `.invalidArgument` for a
    ///   verb that does not accept the program's type, `.unsupported` for a
    ///   kernel feature the attach needs.
    package func attach(_ request: AttachRequest) throws(ManagerError) -> LinkRecord {
        try writing { () throws(ManagerError) in
            guard let program = try stored({ () throws(StoreError) in try store.program(request.programID) }) else {
                throw ManagerError(.notFound, "program \(request.programID) does not exist")
            }
            let verb = request.target.verb
            guard program.type.attachVerb == verb else {
                throw ManagerError(.invalidArgument, "program \(program.id) is a \(program.type.rawValue) program; the \(verb.rawValue) attach accepts \(verb.acceptedTypes)")
            }
            let linkID = try stored { () throws(StoreError) in try store.nextLinkID() }
            let attached: Attachment
            do throws(ManagerError) {
                attached = try attachKernel(program, target: request.target, linkID: linkID)
            } catch {
                Logger.bpfman(.store).attempt("retiring unused link id \(linkID)") { try store.consumeLinkID(linkID) }
                throw error
            }
            let record = LinkRecord(id: linkID, programID: program.id, kind: program.type, kernelLinkID: attached.kernelLinkID,
                                    pinPath: attached.pinPath, details: attached.details, metadata: request.metadata,
                                    createdAt: Self.now())
            do {
                try stored { () throws(StoreError) in try store.insert(record) }
            } catch {
                Logger.bpfman(.manager).attempt("detaching the unrecorded link", metadata: [LogKey.linkID: "\(record.id)"]) {
                    try detachRecorded(record)
                }
                throw ManagerError(error)
            }
            return record
        }
    }

    private func attachKernel(_ program: ProgramRecord, target: AttachTarget, linkID: LinkID) throws(ManagerError) -> Attachment {
        switch target {
        case .uprobe(let target, let functionName, let offset, let pid, let containerPID):
            let request = UprobeRequest(target: target, functionName: functionName, offset: offset, pid: pid,
                                        retprobe: program.type == .uretprobe, containerPID: containerPID)
            return try attachUprobe(program, request: request, pinPath: layout.linkPin(linkID))
        case .tracepoint(let group, let name):
            return try attachPinned(program, pinPath: layout.linkPin(linkID), details: .tracepoint(TracepointDetails(group: group, name: name))) {
                (fd) throws(BPFError) in try TracepointLink.attach(program: fd, group: group, name: name)
            }
        case .kprobe(let functionName, let offset):
            let retprobe = program.type == .kretprobe
            return try attachPinned(program, pinPath: layout.linkPin(linkID),
                                    details: .kprobe(KprobeDetails(functionName: functionName, offset: offset, retprobe: retprobe))) {
                (fd) throws(BPFError) in try KprobeLink.attach(program: fd, function: functionName, offset: offset, retprobe: retprobe)
            }
        case .fentry, .fexit, .lsm:
            let function = program.attachFunction ?? ""
            let details: LinkDetails = target == .lsm ? .lsm(LSMDetails(hookName: function)) : .tracing(TracingDetails(functionName: function))
            return try attachPinned(program, pinPath: layout.linkPin(linkID), details: details) {
                (fd) throws(BPFError) in try TracingLink.attach(program: fd)
            }
        case .xdp(let interface, let priority, let proceedOn, let netns):
            return try attachXDP(program, interface: interface, priority: priority, proceedOn: proceedOn, netns: netns, linkID: linkID)
        case .tc(let interface, let direction, let priority, let proceedOn, let netns):
            return try attachTC(program, interface: interface, direction: direction, priority: priority, proceedOn: proceedOn, netns: netns, linkID: linkID)
        case .tcx(let interface, let direction, let priority, let netns):
            return try attachTCX(program, interface: interface, direction: direction, priority: priority, netns: netns)
        }
    }

    /// Opens the program, runs `create` to make a link, pins it at `pinPath`.
    func attachPinned(_ program: ProgramRecord, pinPath: String, details: LinkDetails,
                      _ create: (borrowing OwnedDescriptor) throws(BPFError) -> OwnedDescriptor) throws(ManagerError) -> Attachment {
        do {
            let fd = try Pins.open(layout.programPin(program.id), what: "program")
            let link = try create(fd)
            let info = try KernelLink(fd: link)
            try FileSystem.createDirectories(FileSystem.dirname(of: pinPath))
            try Pins.pin(link, at: pinPath)
            return Attachment(kernelLinkID: info.id, pinPath: pinPath, details: details)
        } catch let error as BPFError {
            throw ManagerError(error)
        } catch {
            throw ManagerError(error, context: "attach program \(program.id)")
        }
    }
}

/// What an attach produced in the kernel, before it is recorded.
struct Attachment {
    var kernelLinkID: UInt32?
    var pinPath: String?
    var details: LinkDetails
}
