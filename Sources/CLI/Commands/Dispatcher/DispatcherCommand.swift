import ArgumentParser
import Manager
import Model

/// `bpfman dispatcher` (hidden): inspect and remove the XDP and TC
/// dispatchers bpfman builds for multi-program interfaces.
struct DispatcherCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatcher", abstract: "Inspect XDP and TC dispatchers.", shouldDisplay: false,
        subcommands: [DispatcherList.self, DispatcherGet.self, DispatcherDelete.self], defaultSubcommand: DispatcherList.self)
}

/// `dispatcher list [--type T] [--nsid N] [--ifindex I]`.
struct DispatcherList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List dispatchers.")

    @OptionGroup var output: OutputOptions

    @Option(name: .customLong("type"), help: "xdp, tc-ingress or tc-egress.")
    var type: String?

    @Option(name: .customLong("nsid"), parsing: .unconditional, help: "Network namespace inode.")
    var nsid: String?

    @Option(name: .customLong("ifindex"), parsing: .unconditional, help: "Interface index.")
    var ifindex: String?

    func run() throws {
        let format = try output.format()
        let views = try CLIContext.manager().dispatchers(
            type: try type.map { text throws(UsageError) in try ValueSyntax.dispatcherType(text, label: "--type") },
            nsid: try nsid.map { text throws(UsageError) in try ValueSyntax.number(text, label: "--nsid") },
            ifindex: try ifindex.map { text throws(UsageError) in try ValueSyntax.interfaceIndex(text, label: "--ifindex") })
        CLIContext.emit(format, json: DispatcherRendering.list(views), text: DispatcherRendering.listText(views))
    }
}

/// `dispatcher get <type> <nsid> <ifindex>`.
struct DispatcherGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one dispatcher and its members.")

    @OptionGroup var key: DispatcherKeyArguments
    @OptionGroup var output: OutputOptions

    func run() throws {
        let format = try output.format()
        let manager = try CLIContext.manager()
        let view = try manager.dispatcher(try key.key())
        let programs = try manager.programNames()
        CLIContext.emit(format, json: DispatcherRendering.view(view, programs: programs, layout: manager.layout),
                        text: DispatcherRendering.text(view, programs: programs))
    }
}

/// `dispatcher delete <type> <nsid> <ifindex>`: removes the dispatcher and
/// every link it runs.
struct DispatcherDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a dispatcher and its links.")

    @OptionGroup var key: DispatcherKeyArguments

    func run() throws {
        try CLIContext.manager().deleteDispatcher(try key.key())
    }
}

/// The `<type> <nsid> <ifindex>` arguments naming a dispatcher.
struct DispatcherKeyArguments: ParsableArguments {
    @Argument(help: "xdp, tc-ingress or tc-egress.")
    var type: String

    @Argument(help: "Network namespace inode.")
    var nsid: String

    @Argument(help: "Interface index.")
    var ifindex: String

    /// The validated key.
    func key() throws(UsageError) -> DispatcherKey {
        DispatcherKey(type: try ValueSyntax.dispatcherType(type, label: "<type>"), nsid: try ValueSyntax.number(nsid, label: "<nsid>"),
                      ifindex: try ValueSyntax.interfaceIndex(ifindex, label: "<ifindex>"))
    }
}
