import Foundation
import TestSupport

/// Runs the built `bpfman` as a user without privileges: as `nobody`
/// (through `setpriv`) when the tests run as root, as the tests' own user
/// otherwise. Parsing and usage errors must come before the root check.
enum UnprivilegedCLI {
    static func run(_ arguments: [String]) -> CommandResult {
        guard TestEnvironment.isRoot else { return Command.run(TestEnvironment.bpfman, arguments) }
        return Command.run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", TestEnvironment.bpfman] + arguments)
    }

    /// What exit 80 prints on stdout for the command words `path` (empty for the root).
    static func usage(_ path: String) -> String {
        let command = path.isEmpty ? "bpfman" : "bpfman \(path)"
        return "Usage: \(command) …\nRun \"\(command) --help\" for more information.\n\n"
    }
}
