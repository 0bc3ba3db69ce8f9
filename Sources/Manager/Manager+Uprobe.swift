import BPF
import Diagnostics
import LinuxSys
import Logs
import Model
import Store
import Targets

/// A uprobe attach as the manager receives it.
struct UprobeRequest {
    var target: String
    var functionName: String?
    var offset: UInt64
    var pid: Int32?
    var retprobe: Bool
    var containerPID: HostPID?
}

extension Manager {
    /// Attaches a uprobe on the host, or inside a container through `bpfman-ns`.
    func attachUprobe(_ program: ProgramRecord, request: UprobeRequest, pinPath: String) throws(ManagerError) -> Attachment {
        do {
            try TargetResolver.checkLocation(target: request.target, functionName: request.functionName, offset: request.offset)
        } catch {
            throw ManagerError(error)
        }
        if let containerPID = request.containerPID {
            return try attachContainerUprobe(program, request: request, containerPID: containerPID, pinPath: pinPath)
        }
        let resolved: UprobeTarget
        let pmu: UprobePMU
        do {
            let maps = try request.pid.map { (pid) throws(TargetError) in (pid: pid, text: try TargetResolver.processMaps(pid: pid)) }
            resolved = try TargetResolver(processMaps: maps).resolve(target: request.target, functionName: request.functionName,
                                                                     offset: request.offset)
            pmu = try UprobePMU.read()
        } catch let error as TargetError {
            throw ManagerError(error)
        } catch {
            throw ManagerError(.unsupported, "attach uprobe: read uprobe PMU: \(error)")
        }
        let details = LinkDetails.uprobe(UprobeDetails(
            target: request.target, functionName: request.functionName, offset: request.offset, pid: request.pid ?? 0,
            retprobe: request.retprobe, containerPID: 0, resolvedPath: resolved.path, resolvedOffset: resolved.offset))
        return try attachPinned(program, pinPath: pinPath, details: details) { (fd) throws(BPFError) in
            try UprobeLink.attach(program: fd, pmu: pmu, path: resolved.path, offset: resolved.offset,
                                  retprobe: request.retprobe, pid: request.pid)
        }
    }

    private func attachContainerUprobe(_ program: ProgramRecord, request: UprobeRequest, containerPID: HostPID, pinPath: String) throws(ManagerError) -> Attachment {
        let arguments = UprobeHelperArguments(
            programPin: layout.programPin(program.id), linkPin: pinPath, containerPID: containerPID.rawValue, target: request.target,
            functionName: request.functionName, offset: request.offset, retprobe: request.retprobe, pid: request.pid)
        do {
            try FileSystem.createDirectories(FileSystem.dirname(of: pinPath))
        } catch {
            throw ManagerError("attach uprobe via helper: create \(FileSystem.dirname(of: pinPath))", call: "mkdir", errno: error)
        }
        let result: Subprocess.Result
        do {
            result = try Subprocess.run(namespaceHelper, arguments: arguments.commandLine,
                                        environment: [HelperLog.environmentKey: Self.helperLogLevel.name.lowercased()])
        } catch {
            throw ManagerError(.failedPrecondition, "attach uprobe via helper: start \(namespaceHelper): \(error.lowercasedDescription)")
        }
        let (events, message) = HelperLog.split(result.standardError)
        Self.forward(events, containerPID: containerPID)
        guard result.status == 0, let reply = UprobeHelperReply(text: result.standardOutput) else {
            Logger.bpfman(.helper).attempt("removing the pin of a failed helper attach", metadata: [LogKey.path: .string(pinPath)]) {
                try Pins.unpin(pinPath)
            }
            throw ManagerError(HelperExitCode.code(result.status),
                               "attach uprobe via helper: " + (message.isEmpty ? "bpfman-ns exited with status \(result.status)" : message))
        }
        let details = LinkDetails.uprobe(UprobeDetails(
            target: request.target, functionName: request.functionName, offset: request.offset, pid: request.pid ?? 0,
            retprobe: request.retprobe, containerPID: containerPID.rawValue, resolvedPath: reply.path, resolvedOffset: reply.offset))
        return Attachment(kernelLinkID: reply.kernelLinkID, pinPath: pinPath, details: details)
    }

    /// The level `bpfman-ns` writes lines at: the `helper` component's.
    private static var helperLogLevel: HelperLog.Level {
        switch Logger.bpfman(.helper).logLevel {
        case .trace, .debug: .debug
        case .info, .notice: .info
        case .warning: .warn
        case .error, .critical: .error
        }
    }

    /// Passes the helper's events on to this process's log, at their level.
    private static func forward(_ events: [HelperLog.Event], containerPID: HostPID) {
        let log = Logger.bpfman(.helper)
        for event in events {
            var metadata: Logger.Metadata = [LogKey.pid: .stringConvertible(containerPID.rawValue)]
            for (key, value) in event.fields { metadata[key] = .string(value) }
            let level: Logger.Level = switch event.level {
            case .debug: .debug
            case .info: .info
            case .warn: .warning
            case .error: .error
            }
            log.log(level: level, "\(event.message)", metadata: metadata)
        }
    }
}
