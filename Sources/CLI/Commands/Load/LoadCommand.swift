import ArgumentParser
import Manager
import Model

/// The one-step form of the 2024 bpfman releases: load and attach in one
/// command, `bpfman load file --path P --name FN <type> <type flags>`.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Load and attach in one step (the 2024 bpfman form).",
        subcommands: [LoadFileCommand.self, LoadImageCommand.self])
}

/// `load file --path P --name FN [-g] [-m] [--map-owner-id] <type> ...`.
struct LoadFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file", abstract: "Load a program from an object file and attach it.",
        subcommands: [OneStepUprobe.self, OneStepTracepoint.self, OneStepKprobe.self, OneStepXDP.self, OneStepTC.self, OneStepTCX.self,
                      OneStepFentry.self, OneStepFexit.self])

    @Option(name: [.customShort("p"), .customLong("path")], help: "The BPF object file.")
    var path: String?

    @Option(name: [.customShort("n"), .customLong("name")], help: "The program's function name.")
    var name: String?

    @OptionGroup var load: LoadOptions

    /// Loads `type`, attaches it to `target`, prints the program. A failed
    /// attach unloads the program again.
    func run(_ type: ProgramType, attachFunction: String? = nil, target: AttachTarget, output: OutputOptions) throws {
        let format = try output.format()
        guard let path, let name else { throw UsageError("missing flags: --path=STRING, --name=STRING") }
        let (globals, metadata, owner) = try load.parsed()
        let manager = try CLIContext.manager()
        let records = try manager.load(LoadRequest(path: path, programs: [ProgramSelection(type: type, name: name, attachFunction: attachFunction)],
                                                   globals: globals, metadata: metadata, mapOwnerID: owner))
        guard let record = records.first else { return }
        do {
            _ = try manager.attach(AttachRequest(programID: record.id, target: target))
        } catch {
            try? manager.unload(record.id)
            throw error
        }
        let view = try manager.program(record.id)
        CLIContext.emit(format, json: ProgramRendering.view(view, variant: .get), text: ProgramRendering.text(view))
    }
}

/// `load image --image-url ...`: needs OCI image support.
struct LoadImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "image", abstract: "Load a program from an OCI image and attach it.")

    @Option(name: [.customShort("i"), .customLong("image-url")]) var imageURL: String?
    @Argument(parsing: .captureForPassthrough) var rest: [String] = []

    func run() throws {
        try CLIContext.requireRoot()
        throw ManagerError(.unsupported, "failed to load from image: pull image \(imageURL ?? ""): OCI image support is not implemented in this build yet")
    }
}

struct OneStepUprobe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uprobe")
    @ParentCommand var parent: LoadFileCommand
    @Option(name: [.customShort("f"), .customLong("fn-name")]) var functionName: String?
    @Option(name: [.customShort("t"), .customLong("target")]) var target: String?
    @Option(name: .customLong("offset")) var offset: UInt64 = 0
    @Flag(name: [.customShort("r"), .customLong("retprobe")]) var retprobe = false
    @Option(name: .customLong("pid")) var pid: Int32?
    @Option(name: .customLong("container-pid")) var containerPID: Int32?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let target else { throw UsageError("missing flags: --target=STRING") }
        try parent.run(retprobe ? .uretprobe : .uprobe,
                       target: .uprobe(target: target, functionName: functionName, offset: offset, pid: pid, containerPID: containerPID),
                       output: output)
    }
}

struct OneStepTracepoint: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tracepoint")
    @ParentCommand var parent: LoadFileCommand
    @Option(name: .customLong("tracepoint")) var tracepoint: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let tracepoint else { throw UsageError("missing flags: --tracepoint=STRING") }
        let parsed = try ValueSyntax.tracepoint(tracepoint)
        try parent.run(.tracepoint, target: .tracepoint(group: parsed.group, name: parsed.name), output: output)
    }
}

struct OneStepKprobe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kprobe")
    @ParentCommand var parent: LoadFileCommand
    @Option(name: [.customShort("f"), .customLong("fn-name")]) var functionName: String?
    @Option(name: .customLong("offset")) var offset: UInt64 = 0
    @Flag(name: [.customShort("r"), .customLong("retprobe")]) var retprobe = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let functionName else { throw UsageError("missing flags: --fn-name=STRING") }
        try parent.run(retprobe ? .kretprobe : .kprobe, target: .kprobe(functionName: functionName, offset: offset), output: output)
    }
}

struct OneStepXDP: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "xdp")
    @ParentCommand var parent: LoadFileCommand
    @Option(name: [.customShort("i"), .customLong("iface")]) var interface: String?
    @Option(name: [.customShort("p"), .customLong("priority")]) var priority: Int?
    @Option(name: .customLong("proceed-on")) var proceedOn: [String] = []
    @Option(name: [.customShort("n"), .customLong("netns")]) var netns: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let interface else { throw UsageError("missing flags: --iface=STRING") }
        try parent.run(.xdp, target: .xdp(interface: interface, priority: try ValueSyntax.priority(priority),
                                          proceedOn: try ValueSyntax.proceedOn(proceedOn, tc: false), netns: netns), output: output)
    }
}

struct OneStepTC: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tc")
    @ParentCommand var parent: LoadFileCommand
    @Option(name: [.customShort("d"), .customLong("direction")]) var direction: String?
    @Option(name: [.customShort("i"), .customLong("iface")]) var interface: String?
    @Option(name: [.customShort("p"), .customLong("priority")]) var priority: Int?
    @Option(name: .customLong("proceed-on")) var proceedOn: [String] = []
    @Option(name: [.customShort("n"), .customLong("netns")]) var netns: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        guard let interface, let direction else { throw UsageError("missing flags: --direction=STRING, --iface=STRING") }
        try parent.run(.tc, target: .tc(interface: interface, direction: try ValueSyntax.direction(direction),
                                        priority: try ValueSyntax.priority(priority), proceedOn: try ValueSyntax.proceedOn(proceedOn, tc: true),
                                        netns: netns), output: output)
    }
}

struct OneStepTCX: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tcx")
    @ParentCommand var parent: LoadFileCommand
    @Option(name: [.customShort("d"), .customLong("direction")]) var direction: String?
    @Option(name: [.customShort("i"), .customLong("iface")]) var interface: String?
    @Option(name: [.customShort("p"), .customLong("priority")]) var priority: Int?
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
    func run(_ type: ProgramType, target: AttachTarget, parent: LoadFileCommand) throws {
        guard let functionName else { throw UsageError("missing flags: --fn-name=STRING") }
        try parent.run(type, attachFunction: functionName, target: target, output: output)
    }
}

struct OneStepFentry: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fentry")
    @ParentCommand var parent: LoadFileCommand
    @OptionGroup var options: TracingFunctionOptions
    func run() throws { try options.run(.fentry, target: .fentry, parent: parent) }
}

struct OneStepFexit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fexit")
    @ParentCommand var parent: LoadFileCommand
    @OptionGroup var options: TracingFunctionOptions
    func run() throws { try options.run(.fexit, target: .fexit, parent: parent) }
}
