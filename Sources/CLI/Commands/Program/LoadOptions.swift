import ArgumentParser
import Manager
import Model

/// The flags every load form shares: globals, metadata, application, map owner.
package struct LoadOptions: ParsableArguments {
    @Option(name: [.customShort("g"), .customLong("global")], help: "Global variable NAME=HEX (repeatable).")
    var globals: [String] = []

    @Option(name: [.customShort("m"), .customLong("metadata")], help: "Metadata KEY=VALUE (repeatable).")
    var metadata: [String] = []

    @Option(name: [.customShort("a"), .customLong("application")], help: "Application name, stored as bpfman.io/application.")
    var application: String?

    @Option(name: .customLong("map-owner-id"), parsing: .unconditional, help: "Share the maps of this program.")
    var mapOwnerID: String?

    package init() {}

    /// Prints the loaded programs, sorted by ID: `{"programs":[...]}` or one text block each.
    package static func print(_ records: [ProgramRecord], manager: Manager, format: OutputFormat) throws {
        var views: [ProgramView] = []
        for record in records { views.append(try manager.program(record.id)) }
        views.sort { $0.record.id < $1.record.id }
        CLIContext.emit(format, json: .object([("programs", .array(views.map { ProgramRendering.view($0, variant: .load) }))]),
                        text: views.map { ProgramRendering.text($0, variant: .load) }.joined(separator: "\n"))
    }

    /// Validated globals, metadata and owner.
    package func parsed() throws(UsageError) -> (globals: [String: [UInt8]], metadata: [String: String], owner: ProgramID?) {
        let globals = try ValueSyntax.globals(self.globals)
        var metadata = try ValueSyntax.metadata(self.metadata)
        if let application { metadata["bpfman.io/application"] = application }
        let owner = try mapOwnerID.map { (text) throws(UsageError) in try ValueSyntax.programID(text, label: "--map-owner-id") }
        return (globals, metadata, owner)
    }
}

/// `program load file <path> --programs TYPE:NAME[:ATTACH]...`.
struct ProgramLoadFile: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "file", abstract: "Load programs from an ELF object file.")

    @Argument(help: "Path to the BPF object file.")
    var path: String

    @Option(name: .customLong("programs"), help: "TYPE:NAME[:ATTACH] (repeatable, comma-separated).")
    var programs: [String] = []

    @OptionGroup var load: LoadOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let format = try output.format()
        let selections = try ValueSyntax.programSpecs(programs, ValueSyntax.programSpec)
        let (globals, metadata, owner) = try load.parsed()
        let manager = try CLIContext.manager()
        let records = try manager.load(LoadRequest(path: path, programs: selections, globals: globals, metadata: metadata, mapOwnerID: owner))
        try LoadOptions.print(records, manager: manager, format: format)
    }
}

/// `program load image <image> --programs [TYPE:]NAME[:ATTACH]...`.
///
/// A bare NAME takes its type from the image's `io.ebpf.programs` label.
package struct ProgramLoadImage: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "image", abstract: "Load programs from an OCI bytecode image.")

    @Argument(help: "Image reference.")
    package var image: String

    @Option(name: .customLong("programs"), help: "[TYPE:]NAME[:ATTACH] (repeatable, comma-separated); without TYPE, the image's label gives it.")
    package var programs: [String] = []

    @OptionGroup package var pull: ImagePullOptions
    @OptionGroup package var load: LoadOptions
    @OptionGroup package var output: OutputOptions

    package init() {}
}
