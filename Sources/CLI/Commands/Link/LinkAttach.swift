import ArgumentParser
import Manager
import Model

/// `link attach <type> ...`.
struct LinkAttach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach", abstract: "Attach a loaded program.",
        subcommands: [AttachXDP.self, AttachTC.self, AttachTCX.self, AttachTracepoint.self, AttachKprobe.self, AttachUprobe.self,
                      AttachFentry.self, AttachFexit.self, AttachLSM.self])
}

/// Flags every attach verb has: metadata and output.
package struct AttachCommon: ParsableArguments {
    @Option(name: [.customShort("m"), .customLong("metadata")], help: "Link metadata KEY=VALUE (repeatable).")
    package var metadata: [String] = []

    @OptionGroup package var output: OutputOptions

    package init() {}

    /// Attaches `programID` to `target` and prints the link.
    func attach(_ programID: String, _ target: () throws(UsageError) -> AttachTarget) throws {
        let format = try output.format()
        let id = try ValueSyntax.programID(programID, label: "<program-id>")
        let metadata = try ValueSyntax.metadata(self.metadata)
        let target = try target()
        let manager = try CLIContext.manager()
        let record = try manager.attach(AttachRequest(programID: id, target: target, metadata: metadata.isEmpty ? nil : metadata))
        try LinkOutput.emit(try manager.link(record.id), format: format, manager: manager, get: false)
    }
}

struct AttachXDP: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "xdp", abstract: "Attach an XDP program to an interface.")
    @Argument var programID: String
    @Argument var interface: String
    @OptionGroup var chain: DispatcherOptions
    @OptionGroup var common: AttachCommon

    func run() throws {
        try common.attach(programID) { () throws(UsageError) in try chain.xdp(interface: interface) }
    }
}

struct AttachTC: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tc", abstract: "Attach a TC program to an interface.")
    @Argument var programID: String
    @Argument var interface: String
    @Argument var direction: String
    @OptionGroup var chain: DispatcherOptions
    @OptionGroup var common: AttachCommon

    func run() throws {
        try common.attach(programID) { () throws(UsageError) in try chain.tc(interface: interface, direction: direction) }
    }
}

struct AttachTCX: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tcx", abstract: "Attach a TCX program to an interface.")
    @Argument var programID: String
    @Argument var interface: String
    @Argument var direction: String
    @Option(name: [.customShort("p"), .customLong("priority")], parsing: .unconditional) var priority: Int?
    @Option(name: [.customShort("n"), .customLong("netns")]) var netns: String?
    @OptionGroup var common: AttachCommon

    func run() throws {
        try common.attach(programID) { () throws(UsageError) in
            .tcx(interface: interface, direction: try ValueSyntax.direction(direction), priority: try ValueSyntax.priority(priority), netns: netns)
        }
    }
}

struct AttachTracepoint: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tracepoint", abstract: "Attach a tracepoint program.")
    @Argument var programID: String
    @Argument var tracepoint: String
    @OptionGroup var common: AttachCommon

    func run() throws {
        try common.attach(programID) { () throws(UsageError) in
            let parsed = try ValueSyntax.tracepoint(tracepoint)
            return .tracepoint(group: parsed.group, name: parsed.name)
        }
    }
}

struct AttachKprobe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kprobe", abstract: "Attach a kprobe or kretprobe program.")
    @Argument var programID: String
    @Argument var functionName: String
    @Option(name: .customLong("offset"), parsing: .unconditional) var offset: UInt64 = 0
    @OptionGroup var common: AttachCommon

    func run() throws {
        try common.attach(programID) { () throws(UsageError) in .kprobe(functionName: functionName, offset: offset) }
    }
}

/// `link attach uprobe <program-id> <target> [-f FN] [--offset N] [--pid P]
/// [--container-pid P | --containers-* ... [--watch]]`.
package struct AttachUprobe: ParsableCommand {
    package static let configuration = CommandConfiguration(commandName: "uprobe", abstract: "Attach a uprobe or uretprobe program.")
    @Argument package var programID: String
    @Argument package var target: String
    @Option(name: [.customShort("f"), .customLong("fn-name")]) package var functionName: String?
    @Option(name: .customLong("offset"), parsing: .unconditional) package var offset: UInt64 = 0
    @Option(name: .customLong("pid"), parsing: .unconditional) package var pid: Int32?
    @Option(name: .customLong("container-pid"), parsing: .unconditional) package var containerPID: Int32?
    @Option(name: .customLong("containers-namespace"), help: "Select containers of pods in this namespace (through CRI).")
    package var containersNamespace: String?
    @Option(name: .customLong("containers-pod-selector"), help: "Kubernetes label selector over pod labels.")
    package var podSelector: String?
    @Option(name: .customLong("containers-name"), help: "Container name in the pod spec (repeatable).")
    package var containerNames: [String] = []
    @Option(name: .customLong("runtime-endpoint"), help: "CRI socket (default: CONTAINER_RUNTIME_ENDPOINT or a well-known socket).")
    package var runtimeEndpoint: String?
    @Flag(name: .customLong("watch"), help: "Keep running: attach in matching containers as they start, detach when they exit.")
    package var watch = false
    @Option(name: .customLong("watch-interval"), help: "Seconds between runtime polls with --watch.")
    package var watchInterval: Double = 2
    @OptionGroup package var common: AttachCommon

    package init() {}

    /// The uprobe this command describes.
    package var attachTarget: AttachTarget {
        .uprobe(target: target, functionName: functionName, offset: offset, pid: pid, containerPID: containerPID.map { HostPID($0) })
    }

    /// Attaches on the host or in one container; with `--containers-*`
    /// selectors, in every container they pick, which needs the CRI client
    /// of `bpfman-full`.
    package func run() throws {
        try ValueSyntax.processIDs(pid: pid, containerPID: containerPID)
        guard containersNamespace != nil || podSelector != nil || !containerNames.isEmpty else {
            try common.attach(programID) { () throws(UsageError) in attachTarget }
            return
        }
        if containerPID != nil { throw UsageError("--container-pid and --containers-* selectors can't be used together") }
        try FullExecutable.perform(self)
    }
}

struct AttachFentry: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fentry", abstract: "Attach an fentry program.")
    @Argument var programID: String
    @OptionGroup var common: AttachCommon
    func run() throws { try common.attach(programID) { () throws(UsageError) in .fentry } }
}

struct AttachFexit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fexit", abstract: "Attach an fexit program.")
    @Argument var programID: String
    @OptionGroup var common: AttachCommon
    func run() throws { try common.attach(programID) { () throws(UsageError) in .fexit } }
}

struct AttachLSM: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lsm", abstract: "Attach an LSM program.")
    @Argument var programID: String
    @OptionGroup var common: AttachCommon
    func run() throws { try common.attach(programID) { () throws(UsageError) in .lsm } }
}
