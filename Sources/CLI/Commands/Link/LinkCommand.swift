import ArgumentParser
import Manager
import Model

/// `bpfman link`: attach, detach and inspect links.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Attach, detach, list and inspect links.",
        subcommands: [LinkList.self, LinkAttach.self, LinkDetach.self, LinkGet.self, LinkDelete.self], defaultSubcommand: LinkList.self)
}

/// `link get <link-id>`.
struct LinkGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one link.")

    @Argument(help: "Link ID.")
    var linkID: String

    @OptionGroup var output: OutputOptions

    func run() throws { try Self.show(linkID, output: output) }

    /// Prints link `text` in the chosen format.
    static func show(_ text: String, output: OutputOptions) throws {
        let format = try output.format()
        let id = try ValueSyntax.linkID(text)
        let manager = try CLIContext.manager()
        let view = try manager.link(id)
        try LinkOutput.emit(view, format: format, manager: manager, get: true)
    }
}

/// `link detach <link-id>... [--ignore-missing]`.
struct LinkDetach: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detach", abstract: "Detach links.")

    @Argument(help: "Link IDs.")
    var linkIDs: [String] = []

    @Flag(name: .customLong("ignore-missing"), help: "Treat unknown IDs as success.")
    var ignoreMissing = false

    func run() throws {
        guard !linkIDs.isEmpty else { throw UsageError("expected \"<link-id> ...\"") }
        var ids: [LinkID] = []
        for text in linkIDs { ids.append(try ValueSyntax.linkID(text)) }
        let manager = try CLIContext.manager()
        try BatchRunner.run(ids, noun: "link", verb: "detach", ignoreMissing: ignoreMissing) { id throws(ManagerError) in
            try manager.detach(id)
        }
    }
}

/// `link list`.
struct LinkList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List links.")

    @OptionGroup var output: OutputOptions

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print IDs only.")
    var quiet = false

    @Option(name: .customLong("program-id"), help: "Only links of this program.")
    var programID: String?

    @Option(name: .customLong("kind"), help: "Link kinds (repeatable, comma-separated).")
    var kinds: [String] = []

    @Option(name: [.customShort("p"), .customLong("program-type")], help: "Owning program types.")
    var programTypes: [String] = []

    @Option(name: .customLong("application"), help: "Owning program's application.")
    var application: String?

    @Option(name: [.customShort("m"), .customLong("metadata-selector")], help: "Owning program's metadata KEY=VALUE.")
    var metadata: [String] = []

    func run() throws {
        let format = try output.format()
        var filter = LinkFilter()
        if let programID { filter.programID = try ValueSyntax.programID(programID, label: "--program-id") }
        for name in ValueSyntax.list(kinds) where !name.isEmpty {
            guard let kind = ProgramType(rawValue: name.lowercased()) else { throw UsageError("--kind: unknown link kind \"\(name)\"") }
            filter.kinds.insert(kind)
        }
        for name in ValueSyntax.list(programTypes) where !name.isEmpty {
            guard let type = ProgramType(rawValue: name.lowercased()) else { throw UsageError("--program-type: unknown program type \"\(name)\"") }
            filter.programTypes.insert(type)
        }
        filter.metadata = try ValueSyntax.metadata(metadata, flag: "--metadata-selector")
        if let application { filter.metadata["bpfman.io/application"] = application }
        let manager = try CLIContext.manager()
        let links = try manager.links(filter)
        if quiet {
            CLIContext.write(links.map { "\($0.id)\n" }.joined())
            return
        }
        if format == .json {
            CLIContext.write(JSONValue.object([("links", .array(links.map(LinkRendering.record)))]).rendered())
            return
        }
        if links.isEmpty { return }
        let programs = try manager.programNames()
        let showApplication = links.contains { !(programs[$0.programID]?.metadata["bpfman.io/application"] ?? "").isEmpty }
        var table = Table(["LINK ID", "KERNEL LINK ID", "KIND", "PROGRAM ID"] + (showApplication ? ["APPLICATION"] : [])
                          + ["FUNCTION NAME", "ATTACHMENT"])
        for link in links {
            let program = programs[link.programID]
            table.append([link.id.description, link.kernelLinkID.map { String($0) } ?? "-", link.kind.rawValue, link.programID.description]
                         + (showApplication ? [program?.metadata["bpfman.io/application"] ?? ""] : [])
                         + [program?.name ?? "", LinkRendering.attachment(link.details)])
        }
        CLIContext.write(table.rendered())
    }
}

/// Prints a link as `link get` and `link attach` do.
enum LinkOutput {
    /// Prints a link as `link attach` (`get: false`) or `link get` does:
    /// their JSON is the same; only get's text names the BPF function.
    static func emit(_ view: LinkView, format: OutputFormat, manager: Manager, get: Bool) throws {
        let name = get ? try manager.programNames()[view.record.programID]?.name : nil
        CLIContext.emit(format, json: LinkRendering.view(view), text: LinkRendering.text(view, functionName: name))
    }
}
