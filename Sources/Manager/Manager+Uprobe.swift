import BPF
import Diagnostics
import LinuxSys
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
            throw ManagerError(ErrorCode(errno: error), "attach uprobe via helper: create \(FileSystem.dirname(of: pinPath)): \(error.lowercasedDescription)")
        }
        let result: Subprocess.Result
        do {
            result = try Subprocess.run(namespaceHelper, arguments: arguments.commandLine)
        } catch {
            throw ManagerError(.failedPrecondition, "attach uprobe via helper: start \(namespaceHelper): \(error.lowercasedDescription)")
        }
        guard result.status == 0, let reply = UprobeHelperReply(text: result.standardOutput) else {
            try? Pins.unpin(pinPath)
            let message = result.standardError.trimmingWhitespace()
            throw ManagerError(HelperExitCode.code(result.status),
                               "attach uprobe via helper: " + (message.isEmpty ? "bpfman-ns exited with status \(result.status)" : message))
        }
        let details = LinkDetails.uprobe(UprobeDetails(
            target: request.target, functionName: request.functionName, offset: request.offset, pid: request.pid ?? 0,
            retprobe: request.retprobe, containerPID: containerPID.rawValue, resolvedPath: reply.path, resolvedOffset: reply.offset))
        return Attachment(kernelLinkID: reply.kernelLinkID, pinPath: pinPath, details: details)
    }
}
