import ArgumentParser
import Manager
import Model

/// `program list`.
struct ProgramList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List programs.")

    @OptionGroup var output: OutputOptions

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Print IDs only.")
    var quiet = false

    @Flag(name: .customLong("attached"), help: "Only programs with links.")
    var attached = false

    @Flag(name: .customLong("unattached"), help: "Only programs without links.")
    var unattached = false

    @Option(name: .customLong("type"), help: "Program types (repeatable, comma-separated).")
    var types: [String] = []

    @Option(name: [.customShort("p"), .customLong("program-type")], help: "Program types (repeatable, comma-separated).")
    var programTypes: [String] = []

    @Option(name: .customLong("application"), help: "Only programs of this application.")
    var application: String?

    @Option(name: [.customShort("m"), .customLong("metadata-selector")], help: "KEY=VALUE metadata to match (repeatable).")
    var metadata: [String] = []

    @Flag(name: [.customShort("a"), .customLong("all")], help: "Include programs bpfman did not load.")
    var all = false

    @Option(name: [.customShort("l"), .customLong("selector")], help: "Kubernetes label selector over metadata.")
    var selector: String?

    func run() throws {
        let format = try output.format()
        if attached && unattached { throw UsageError("--attached and --unattached can't be used together") }
        var filter = ProgramFilter()
        for name in ValueSyntax.list(types + programTypes).map({ $0.trimmingSpaces().lowercased() }) where !name.isEmpty {
            guard let type = ProgramType(rawValue: name) else { throw UsageError("unknown program type \"\(name)\"") }
            filter.types.insert(type)
        }
        filter.metadata = try ValueSyntax.metadata(metadata, flag: "--metadata-selector")
        if let application { filter.metadata["bpfman.io/application"] = application }
        filter.attached = attached ? true : (unattached ? false : nil)
        filter.includeUnmanaged = all
        if let selector {
            do { filter.selector = try LabelSelector(parsing: selector) } catch {
                throw ManagerError(.invalidArgument, "invalid label selector: \(error.description)")
            }
        }
        let entries = try CLIContext.manager().programs(filter)
        if quiet {
            CLIContext.write(entries.map { "\($0.id)\n" }.joined())
            return
        }
        if format == .text && entries.isEmpty { return }
        CLIContext.emit(format, json: .object([("programs", .array(entries.map(ProgramRendering.listEntry)))]),
                        text: ProgramRendering.table(entries))
    }
}
