import BpfmanProto
import Diagnostics
import Foundation
import GRPCCore
import ImageLoading
import Images
import Manager
import Model

/// Conversions between bpfman.v1 messages and the manager's types; the
/// server adds no logic of its own (one core, two faces).
enum ProtoMapping {
    /// The gRPC status for a failure class.
    static func status(_ code: ErrorCode) -> RPCError.Code {
        switch code {
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .invalidArgument: .invalidArgument
        case .permissionDenied: .permissionDenied
        case .unsupported, .failedPrecondition: .failedPrecondition
        case .unavailable: .unavailable
        case .cancelled: .cancelled
        case .internal: .internalError
        }
    }

    /// A manager error as an RPC error.
    static func rpcError(_ error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(code: .cancelled, message: "the call was cancelled before it changed anything") }
        if let error = error as? any BpfmanError {
            return RPCError(code: status(error.code), message: bounded(error.message), metadata: details(error.cause))
        }
        return RPCError(code: .internalError, message: bounded("\(error)"))
    }

    /// The cause as trailing metadata a client can match without parsing
    /// the message: `bpfman-step`, `bpfman-syscall`, `bpfman-errno` (the
    /// number) and `bpfman-missing-feature`, each present when known.
    static func details(_ cause: ErrorCause) -> Metadata {
        var metadata = Metadata()
        func add(_ key: String, _ value: String?) {
            guard let value else { return }
            // Header values are visible ASCII; anything else becomes "?".
            let ascii = String(String.UnicodeScalarView(value.unicodeScalars.prefix(512).map { (0x20...0x7e).contains($0.value) ? $0 : "?" }))
            metadata.addString(ascii, forKey: key)
        }
        add("bpfman-step", cause.step)
        add("bpfman-syscall", cause.syscall?.call)
        add("bpfman-errno", cause.syscall.map { String($0.errno.rawValue) })
        add("bpfman-missing-feature", cause.missingFeature)
        return metadata
    }

    static func invalid(_ message: String) -> RPCError { RPCError(code: .invalidArgument, message: bounded(message)) }

    /// Status messages travel in HTTP/2 trailers: keep them short enough
    /// that a hostile request cannot make the reply itself fail.
    static func bounded(_ message: String) -> String {
        message.utf8.count <= 2048 ? message : String(decoding: message.utf8.prefix(2048), as: UTF8.self) + "… (truncated)"
    }

    /// The image a `LoadRequest` names, or nil when it names a file.
    static func image(of request: Bpfman_V1_LoadRequest) throws(RPCError) -> ImageLoadRequest? {
        guard request.hasBytecode, let location = request.bytecode.location else {
            throw invalid("bytecode location is required (file or image)")
        }
        guard case .image(let image) = location else { return nil }
        return try imagePull(image)
    }

    /// The pull a `BytecodeImage` asks for (no programs: the load names them).
    static func imagePull(_ image: Bpfman_V1_BytecodeImage) throws(RPCError) -> ImageLoadRequest {
        guard !image.url.isEmpty else { throw invalid("bytecode image url is empty") }
        let policies: [Int32: PullPolicy] = [0: .always, 1: .ifNotPresent, 2: .never]
        guard let policy = policies[image.imagePullPolicy] else { throw invalid("unknown image pull policy \(image.imagePullPolicy)") }
        let credential = image.hasUsername ? RegistryCredential(username: image.username, password: image.password) : nil
        return ImageLoadRequest(reference: image.url, pullPolicy: policy, credential: credential, programs: [])
    }

    /// The manager request for a `LoadRequest`; for image loads, `pulled`
    /// is the image already pulled.
    static func loadRequest(_ request: Bpfman_V1_LoadRequest, pulled: PulledImage? = nil) throws(RPCError) -> LoadRequest {
        guard request.hasBytecode, let location = request.bytecode.location else {
            throw invalid("bytecode location is required (file or image)")
        }
        let path: String
        var source: ImageSource?
        switch location {
        case .file(let file):
            guard !file.isEmpty else { throw invalid("bytecode file path is empty") }
            guard file.utf8.count <= 4096 else { throw invalid("bytecode file path is longer than 4096 bytes") }
            path = file
        case .image(let image):
            guard let pulled else { throw RPCError(code: .internalError, message: "image \(image.url) was not pulled") }
            path = pulled.objectPath
            source = ImageSource(url: image.url, digest: pulled.digest.description, pullPolicy: try imagePull(image).pullPolicy.rawValue)
        }
        guard !request.info.isEmpty else { throw invalid("at least one program (info) is required") }
        var selections: [ProgramSelection] = []
        for info in request.info {
            guard !info.name.isEmpty else { throw invalid("program name is empty") }
            let type = ProgramSelection.probe(try programType(info.programType), name: info.name, objectPath: path).type
            var attach: String?
            if info.hasInfo, let specific = info.info.info {
                switch specific {
                case .fentryLoadInfo(let value): attach = value.fnName
                case .fexitLoadInfo(let value): attach = value.fnName
                case .lsmLoadInfo(let value): attach = value.hookName
                }
            }
            if type.requiresAttachFunction && (attach ?? "").isEmpty {
                throw invalid("program \(info.name): \(type.rawValue) requires an attach function")
            }
            selections.append(ProgramSelection(type: type, name: info.name, attachFunction: attach))
        }
        return LoadRequest(path: path, programs: selections, globals: request.globalData.mapValues { [UInt8]($0) },
                           metadata: request.metadata, mapOwnerID: request.hasMapOwnerID ? ProgramID(request.mapOwnerID) : nil,
                           imageSource: source)
    }

    /// bpfman's program type for an API type; `ProgramSelection.probe`
    /// tells a uprobe or kprobe from its return-probe variant.
    private static func programType(_ type: Bpfman_V1_BpfmanProgramType) throws(RPCError) -> ProgramType {
        switch type {
        case .xdp: return .xdp
        case .tc: return .tc
        case .tcx: return .tcx
        case .tracepoint: return .tracepoint
        case .fentry: return .fentry
        case .fexit: return .fexit
        case .lsm: return .lsm
        case .uprobe: return .uprobe
        case .kprobe: return .kprobe
        case .UNRECOGNIZED(let value):
            throw invalid("unknown program type \(value)")
        }
    }

    /// The API program type of a bpfman type.
    static func apiType(_ type: ProgramType) -> Bpfman_V1_BpfmanProgramType {
        switch type {
        case .xdp: .xdp
        case .tc: .tc
        case .tcx: .tcx
        case .tracepoint: .tracepoint
        case .kprobe, .kretprobe: .kprobe
        case .uprobe, .uretprobe: .uprobe
        case .fentry: .fentry
        case .fexit: .fexit
        case .lsm: .lsm
        }
    }

    /// bpfman's record of a program as `ProgramInfo`.
    static func programInfo(_ record: ProgramRecord, links: [LinkID], mapUsedBy: [ProgramID]) -> Bpfman_V1_ProgramInfo {
        var info = Bpfman_V1_ProgramInfo()
        info.name = record.name
        var location = Bpfman_V1_BytecodeLocation()
        if let image = record.imageSource {
            var bytecode = Bpfman_V1_BytecodeImage()
            bytecode.url = image.url
            bytecode.imagePullPolicy = ["Always": 0, "IfNotPresent": 1, "Never": 2][image.pullPolicy] ?? 1
            location.image = bytecode
        } else {
            location.file = record.sourcePath ?? record.objectPath
        }
        info.bytecode = location
        info.links = links.map { UInt32(truncatingIfNeeded: $0.rawValue) }
        info.globalData = record.globalData.mapValues { Data($0) }
        if let owner = record.mapOwnerID { info.mapOwnerID = owner.rawValue }
        info.mapPinPath = record.mapPinPath
        info.mapUsedBy = mapUsedBy.map(\.description)
        info.metadata = record.metadata
        return info
    }

    /// The kernel's view as `KernelProgramInfo`.
    static func kernelInfo(_ kernel: KernelProgram) -> Bpfman_V1_KernelProgramInfo {
        var info = Bpfman_V1_KernelProgramInfo()
        info.id = kernel.id.rawValue
        info.name = kernel.name
        info.programType = kernel.type
        info.loadedAt = Timestamp.rfc3339(Int64(kernel.loadedAtNanoseconds / 1_000_000_000))
        info.tag = kernel.tag
        info.gplCompatible = kernel.gplCompatible
        info.mapIds = kernel.mapIDs
        info.btfID = kernel.btfID
        info.bytesXlated = kernel.xlatedSize
        info.jited = kernel.jitedSize > 0
        info.bytesJited = kernel.jitedSize
        info.bytesMemlock = UInt32(truncatingIfNeeded: kernel.memlock ?? 0)
        info.verifiedInsns = kernel.verifiedInstructions
        return info
    }

    /// The attach target of an `AttachInfo`.
    static func attachTarget(_ attach: Bpfman_V1_AttachInfo) throws(RPCError) -> (AttachTarget, [String: String]) {
        guard let info = attach.info else { throw invalid("attach info is required") }
        func direction(_ text: String) throws(RPCError) -> TCDirection {
            guard let value = TCDirection(rawValue: text.lowercased()) else {
                throw invalid("invalid TC direction \"\(text)\": must be 'ingress' or 'egress'")
            }
            return value
        }
        func priority(_ value: Int32) throws(RPCError) -> Int32 {
            guard value >= 0 else { throw invalid("priority must be >= 0, got \(value)") }
            return value
        }
        switch info {
        case .xdpAttachInfo(let value):
            guard !value.iface.isEmpty else { throw invalid("iface is required") }
            return (.xdp(interface: value.iface, priority: try priority(value.priority),
                         proceedOn: value.proceedOn.isEmpty ? .xdpDefault : ProceedOn(value.proceedOn), netns: value.hasNetns ? value.netns : nil), value.metadata)
        case .tcAttachInfo(let value):
            guard !value.iface.isEmpty else { throw invalid("iface is required") }
            return (.tc(interface: value.iface, direction: try direction(value.direction), priority: try priority(value.priority),
                        proceedOn: value.proceedOn.isEmpty ? .tcDefault : ProceedOn(value.proceedOn), netns: value.hasNetns ? value.netns : nil), value.metadata)
        case .tcxAttachInfo(let value):
            guard !value.iface.isEmpty else { throw invalid("iface is required") }
            return (.tcx(interface: value.iface, direction: try direction(value.direction), priority: try priority(value.priority),
                         netns: value.hasNetns ? value.netns : nil), value.metadata)
        case .tracepointAttachInfo(let value):
            let parts = value.tracepoint.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw invalid("invalid tracepoint \"\(value.tracepoint)\": expected group/name (e.g. sched/sched_switch)")
            }
            return (.tracepoint(group: String(parts[0]), name: String(parts[1])), value.metadata)
        case .kprobeAttachInfo(let value):
            guard !value.fnName.isEmpty else { throw invalid("fn_name is required") }
            return (.kprobe(functionName: value.fnName, offset: value.offset), value.metadata)
        case .uprobeAttachInfo(let value):
            guard !value.target.isEmpty else { throw invalid("target is required") }
            return (.uprobe(target: value.target, functionName: value.hasFnName ? value.fnName : nil, offset: value.offset,
                            pid: value.hasPid ? value.pid : nil, containerPID: value.hasContainerPid ? HostPID(value.containerPid) : nil), value.metadata)
        case .fentryAttachInfo(let value): return (.fentry, value.metadata)
        case .fexitAttachInfo(let value): return (.fexit, value.metadata)
        case .lsmAttachInfo(let value): return (.lsm, value.metadata)
        }
    }
}
