import ArgumentParser
import Manager
import Model

/// `program get <program-id>`.
struct ProgramGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one managed program.")

    @Argument(help: "Program ID.")
    var programID: String

    @OptionGroup var output: OutputOptions

    func run() throws { try Self.show(programID, output: output) }

    /// Prints program `text` in the chosen format.
    static func show(_ text: String, output: OutputOptions) throws {
        let format = try output.format()
        let id = try ValueSyntax.programID(text)
        let view = try CLIContext.manager().program(id)
        CLIContext.emit(format, json: ProgramRendering.view(view, variant: .get), text: ProgramRendering.text(view, variant: .get))
    }
}

/// `program unload <program-id>... [--ignore-missing]`.
struct ProgramUnload: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unload", abstract: "Detach and unload programs.")

    @Argument(help: "Program IDs.")
    var programIDs: [String] = []

    @Flag(name: .customLong("ignore-missing"), help: "Treat unknown IDs as success.")
    var ignoreMissing = false

    func run() throws {
        guard !programIDs.isEmpty else { throw UsageError("expected \"<program-id> ...\"") }
        var ids: [ProgramID] = []
        for text in programIDs { ids.append(try ValueSyntax.programID(text)) }
        let manager = try CLIContext.manager()
        try BatchRunner.run(ids, noun: "program", verb: "unload", ignoreMissing: ignoreMissing) { id throws(ManagerError) in
            try manager.unload(id)
        }
    }
}

/// Runs a batch verb over every id, reporting each failure on stderr.
enum BatchRunner {
    static func run<ID: CustomStringConvertible>(_ ids: [ID], noun: String, verb: String, ignoreMissing: Bool,
                                                 _ body: (ID) throws(ManagerError) -> Void) throws {
        var failed = 0
        for id in ids {
            do {
                try body(id)
            } catch {
                if ignoreMissing && error.code == .notFound { continue }
                failed += 1
                CLIContext.writeError("\(noun) \(id): \(error.message)")
            }
        }
        if failed > 0 {
            let past = verb == "delete" ? "failed to delete" : "failed to \(verb)"
            throw BatchFailure(message: "\(failed) of \(ids.count) \(noun)(s) \(past)")
        }
    }
}
