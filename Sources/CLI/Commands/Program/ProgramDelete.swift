import ArgumentParser
import Manager
import Model

/// `program delete (<program-id>... | --all) [-r]` (hidden): unload, and
/// with `-r` also the programs that share its maps.
struct ProgramDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete programs.", shouldDisplay: false)

    @Argument var programIDs: [String] = []
    @Flag(name: .customLong("all")) var all = false
    @Flag(name: [.customShort("r"), .customLong("recursive")]) var recursive = false

    func run() throws {
        if all == !programIDs.isEmpty { throw UsageError("expected program IDs or --all, not both") }
        var ids: [ProgramID] = []
        for text in programIDs { ids.append(try ValueSyntax.programID(text)) }
        let manager = try CLIContext.manager()
        if all { ids = try manager.programs(ProgramFilter()).map(\.id) }
        if recursive {
            let sets = try manager.mapSetUsers()
            var expanded: [ProgramID] = []
            for id in ids {
                let group = sets.values.first { $0.contains(id) } ?? [id]
                for member in [id] + group where !expanded.contains(member) { expanded.append(member) }
            }
            ids = expanded
        }
        try BatchRunner.run(ids, noun: "program", verb: "delete", ignoreMissing: false) { id throws(ManagerError) in
            try manager.unload(id)
        }
    }
}

/// `link delete <link-id>... [-r]` (hidden): detach, and unload the program
/// once it has no links left.
struct LinkDelete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete links.", shouldDisplay: false)

    @Argument var linkIDs: [String] = []
    @Flag(name: [.customShort("r"), .customLong("recursive")]) var recursive = false

    func run() throws {
        guard !linkIDs.isEmpty else { throw UsageError("expected \"<link-id> ...\"") }
        var ids: [LinkID] = []
        for text in linkIDs { ids.append(try ValueSyntax.linkID(text)) }
        let manager = try CLIContext.manager()
        try BatchRunner.run(ids, noun: "link", verb: "delete", ignoreMissing: false) { id throws(ManagerError) in
            let program = try manager.link(id).record.programID
            try manager.detach(id)
            var remaining = LinkFilter()
            remaining.programID = program
            if try manager.links(remaining).isEmpty { try manager.unload(program) }
        }
    }
}
