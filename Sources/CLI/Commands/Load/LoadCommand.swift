import ArgumentParser
import Logs
import Manager
import Model

/// The one-step form of the 2024 bpfman releases: load and attach in one
/// command, `bpfman load file --path P --name FN <type> <type flags>` or
/// `bpfman load image --image-url URL [--name FN] <type> <type flags>`.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Load and attach in one step (the 2024 bpfman form).",
        subcommands: [LoadFileCommand.self, LoadImageCommand.self])
}

/// A one-step load command: loads one program of a type, then the type's
/// subcommand attaches it.
protocol OneStepLoad: ParsableCommand {
    /// Loads one `type` program and returns its record.
    func loadProgram(_ type: ProgramType, attachFunction: String?, manager: Manager) throws -> ProgramRecord

    /// Checks, before any work, that this executable can load the program;
    /// `bpfman` hands the image form over to `bpfman-full` here.
    func requireLinkedWork() throws

    /// The flags every load form shares.
    var load: LoadOptions { get }

    /// Checks the command's own flags, so that a malformed command is a
    /// usage error (exit 80) before the root check and any work.
    func checkFlags() throws(UsageError)
}

extension OneStepLoad {
    /// Object files load in every executable.
    func requireLinkedWork() throws {}

    /// The shared load flags are well formed.
    func checkFlags() throws(UsageError) { _ = try load.parsed() }

    /// The one-step subcommands of a parent.
    static var oneStepSubcommands: [any ParsableCommand.Type] {
        [OneStepUprobe<Self>.self, OneStepTracepoint<Self>.self, OneStepKprobe<Self>.self, OneStepXDP<Self>.self, OneStepTC<Self>.self,
         OneStepTCX<Self>.self, OneStepFentry<Self>.self, OneStepFexit<Self>.self]
    }

    /// Loads `type`, attaches it to `target`, prints the program. A failed
    /// attach unloads the program again.
    func run(_ type: ProgramType, attachFunction: String? = nil, target: AttachTarget, output: OutputOptions) throws {
        let format = try output.format()
        try checkFlags()
        try requireLinkedWork()
        let manager = try CLIContext.manager()
        let record = try loadProgram(type, attachFunction: attachFunction, manager: manager)
        do {
            _ = try manager.attach(AttachRequest(programID: record.id, target: target))
        } catch {
            Logger.bpfman(.manager).attempt("unloading the program whose attach failed", metadata: [LogKey.programID: "\(record.id)"]) {
                try manager.unload(record.id)
            }
            throw error
        }
        let view = try manager.program(record.id)
        CLIContext.emit(format, json: ProgramRendering.view(view, variant: .get), text: ProgramRendering.text(view, variant: .get))
    }
}

/// `load file --path P --name FN [-g] [-m] [--map-owner-id] <type> ...`.
struct LoadFileCommand: OneStepLoad {
    static let configuration = CommandConfiguration(
        commandName: "file", abstract: "Load a program from an object file and attach it.", subcommands: oneStepSubcommands)

    @Option(name: [.customShort("p"), .customLong("path")], help: "The BPF object file.")
    var path: String?

    @Option(name: [.customShort("n"), .customLong("name")], help: "The program's function name.")
    var name: String?

    @OptionGroup var load: LoadOptions

    func checkFlags() throws(UsageError) {
        guard path != nil, name != nil else { throw UsageError("missing flags: --path=STRING, --name=STRING") }
        _ = try load.parsed()
    }

    func loadProgram(_ type: ProgramType, attachFunction: String?, manager: Manager) throws -> ProgramRecord {
        guard let path, let name else { throw UsageError("missing flags: --path=STRING, --name=STRING") }
        let (globals, metadata, owner) = try load.parsed()
        let records = try manager.load(LoadRequest(path: path, programs: [ProgramSelection(type: type, name: name, attachFunction: attachFunction)],
                                                   globals: globals, metadata: metadata, mapOwnerID: owner))
        guard let record = records.first else { throw ManagerError(.internal, "load returned no program") }
        return record
    }
}

/// The work of the one-step image form, which only `bpfman-full` links
/// (FullCLI).
package protocol ImageProgramLoading {
    /// Pulls the image and loads one `type` program of it.
    func loadImageProgram(_ type: ProgramType, attachFunction: String?, manager: Manager) throws -> ProgramRecord
}

/// `load image --image-url URL [--name FN] [-p POLICY] [--registry-auth B64] [-g] [-m] <type> ...`.
///
/// Without `--name`, the image's one labelled program of the type is loaded.
package struct LoadImageCommand: OneStepLoad {
    package static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Load a program from an OCI image and attach it.", subcommands: oneStepSubcommands)

    @Option(name: [.customShort("i"), .customLong("image-url")], help: "The image reference.")
    package var imageURL: String?

    @Option(name: [.customShort("n"), .customLong("name")], help: "The program's function name (default: the image's one program of the type).")
    package var name: String?

    @OptionGroup package var image: ImagePullOptions
    @OptionGroup package var load: LoadOptions

    package init() {}

    func requireLinkedWork() throws { _ = try loading() }

    func loadProgram(_ type: ProgramType, attachFunction: String?, manager: Manager) throws -> ProgramRecord {
        try loading().loadImageProgram(type, attachFunction: attachFunction, manager: manager)
    }

    private func loading() throws(ManagerError) -> any ImageProgramLoading {
        try FullExecutable.work(of: self, as: (any ImageProgramLoading).self)
    }
}

struct OneStepUprobe<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "uprobe") }
    @ParentCommand var parent: Parent
    @Option(name: [.customShort("f"), .customLong("fn-name")]) var functionName: String?
    @Option(name: [.customShort("t"), .customLong("target")]) var target: String?
    @Option(name: .customLong("offset"), parsing: .unconditional) var offset: UInt64 = 0
    @Flag(name: [.customShort("r"), .customLong("retprobe")]) var retprobe = false
    @Option(name: .customLong("pid"), parsing: .unconditional) var pid: Int32?
    @Option(name: .customLong("container-pid"), parsing: .unconditional) var containerPID: Int32?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let target else { throw UsageError("missing flags: --target=STRING") }
        try ValueSyntax.processIDs(pid: pid, containerPID: containerPID)
        try parent.run(retprobe ? .uretprobe : .uprobe,
                       target: .uprobe(target: target, functionName: functionName, offset: offset, pid: pid,
                                       containerPID: containerPID.map { HostPID($0) }),
                       output: output)
    }
}

struct OneStepTracepoint<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "tracepoint") }
    @ParentCommand var parent: Parent
    @Option(name: .customLong("tracepoint")) var tracepoint: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let tracepoint else { throw UsageError("missing flags: --tracepoint=STRING") }
        let parsed = try ValueSyntax.tracepoint(tracepoint)
        try parent.run(.tracepoint, target: .tracepoint(group: parsed.group, name: parsed.name), output: output)
    }
}

struct OneStepKprobe<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "kprobe") }
    @ParentCommand var parent: Parent
    @Option(name: [.customShort("f"), .customLong("fn-name")]) var functionName: String?
    @Option(name: .customLong("offset"), parsing: .unconditional) var offset: UInt64 = 0
    @Flag(name: [.customShort("r"), .customLong("retprobe")]) var retprobe = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let functionName else { throw UsageError("missing flags: --fn-name=STRING") }
        try parent.run(retprobe ? .kretprobe : .kprobe, target: .kprobe(functionName: functionName, offset: offset), output: output)
    }
}

struct OneStepXDP<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "xdp") }
    @ParentCommand var parent: Parent
    @Option(name: [.customShort("i"), .customLong("iface")]) var interface: String?
    @OptionGroup var chain: DispatcherOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let interface else { throw UsageError("missing flags: --iface=STRING") }
        try parent.run(.xdp, target: try chain.xdp(interface: interface), output: output)
    }
}

struct OneStepTC<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "tc") }
    @ParentCommand var parent: Parent
    @Option(name: [.customShort("d"), .customLong("direction")]) var direction: String?
    @Option(name: [.customShort("i"), .customLong("iface")]) var interface: String?
    @OptionGroup var chain: DispatcherOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let interface, let direction else { throw UsageError("missing flags: --direction=STRING, --iface=STRING") }
        try parent.run(.tc, target: try chain.tc(interface: interface, direction: direction), output: output)
    }
}

struct OneStepTCX<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "tcx") }
    @ParentCommand var parent: Parent
    @Option(name: [.customShort("d"), .customLong("direction")]) var direction: String?
    @Option(name: [.customShort("i"), .customLong("iface")]) var interface: String?
    @Option(name: [.customShort("p"), .customLong("priority")], parsing: .unconditional) var priority: Int?
    @Option(name: [.customShort("n"), .customLong("netns")]) var netns: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let interface, let direction else { throw UsageError("missing flags: --direction=STRING, --iface=STRING") }
        try parent.run(.tcx, target: .tcx(interface: interface, direction: try ValueSyntax.direction(direction),
                                          priority: try ValueSyntax.priority(priority), netns: netns), output: output)
    }
}

/// `--fn-name`, the kernel function fentry and fexit programs attach to.
struct TracingFunctionOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("fn-name")]) var functionName: String?
    @OptionGroup var output: OutputOptions

    /// Loads `type` on the function and attaches it.
    func run(_ type: ProgramType, target: AttachTarget, parent: some OneStepLoad) throws {
        guard let functionName else { throw UsageError("missing flags: --fn-name=STRING") }
        try parent.run(type, attachFunction: functionName, target: target, output: output)
    }
}

struct OneStepFentry<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "fentry") }
    @ParentCommand var parent: Parent
    @OptionGroup var options: TracingFunctionOptions
    func run() throws { try options.run(.fentry, target: .fentry, parent: parent) }
}

struct OneStepFexit<Parent: OneStepLoad>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(commandName: "fexit") }
    @ParentCommand var parent: Parent
    @OptionGroup var options: TracingFunctionOptions
    func run() throws { try options.run(.fexit, target: .fexit, parent: parent) }
}
