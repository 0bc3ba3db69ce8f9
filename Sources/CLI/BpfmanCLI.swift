import ArgumentParser
import Diagnostics
import Glibc
import Manager

/// The root command.
struct Bpfman: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpfman", abstract: "Load, attach and manage eBPF programs.",
        subcommands: [ProgramCommand.self, LinkCommand.self, ImageCommand.self, LoadCommand.self, VersionCommand.self, GetCommand.self, ContainerCommand.self,
                      ServeCommand.self, DispatcherCommand.self])
}

/// The CLI entry point: parses like bpfman's reference CLI and maps
/// failures to its exit codes (0 success, 1 runtime failure, 80 usage).
package enum BpfmanCLI {
    /// Runs the CLI with `arguments` (without the executable name) and
    /// returns the exit code.
    package static func main(arguments: [String]) -> Int32 {
        var arguments = arguments
        if arguments.first == "--csi-support" { arguments.insert("serve", at: 0) }
        if arguments.first == "help" { arguments = Array(arguments.dropFirst()) + ["--help"] }
        arguments = splitShortFlagEquals(arguments)
        do {
            CLIContext.settings = try GlobalSettings.extract(from: &arguments)
        } catch {
            return usage(error.message, arguments: arguments)
        }
        if arguments.isEmpty {
            CLIContext.write(Bpfman.helpMessage(columns: 100) + "\n")
            CLIContext.writeError("bpfman: error: expected one of \"program\", \"link\", \"image\", \"version\"")
            return 80
        }
        let command: any ParsableCommand
        do {
            command = try Bpfman.parseAsRoot(arguments)
        } catch {
            let code = Bpfman.exitCode(for: error)
            if code == .success {
                CLIContext.write(Bpfman.fullMessage(for: error) + "\n" + globalHelp(arguments))
                return 0
            }
            return usage(parseMessage(error, arguments: arguments), arguments: arguments)
        }
        do {
            try CLIContext.settings.startLogging(serving: command is ServeCommand)
        } catch {
            CLIContext.writeError("bpfman: error: \(error.message)")
            return 1
        }
        do {
            var mutable = command
            try mutable.run()
            return 0
        } catch let error as UsageError {
            return usage(error.message, arguments: arguments)
        } catch let error as BatchFailure {
            CLIContext.writeError("bpfman: error: \(error.message)")
            return 1
        } catch let error as any BpfmanError {
            CLIContext.writeError("bpfman: error: \(error.message)")
            return 1
        } catch {
            // A command with subcommands run on its own asks for help.
            if Bpfman.exitCode(for: error) == .success {
                CLIContext.write(Bpfman.fullMessage(for: error) + "\n" + globalHelp(arguments))
                return 0
            }
            CLIContext.writeError("bpfman: error: \(error)")
            return 1
        }
    }

    /// The global flags' section of full help: `--help` (and `help …`)
    /// shows it, compact `-h` does not, as in the reference.
    private static func globalHelp(_ arguments: [String]) -> String {
        arguments.contains("--help") ? GlobalSettings.help : ""
    }

    /// kong reads `-o=json` as flag `-o` with value `=json`; ArgumentParser
    /// would strip the `=`, so split such words first.
    private static func splitShortFlagEquals(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for argument in arguments {
            let characters = Array(argument)
            if characters.count > 2, characters[0] == "-", characters[1] != "-", characters[2] == "=" {
                result.append(String(characters[0...1]))
                result.append(String(characters[2...]))
            } else {
                result.append(argument)
            }
        }
        return result
    }

    /// Prints a usage error: message on stderr, usage on stdout; exit 80.
    private static func usage(_ message: String, arguments: [String]) -> Int32 {
        let path = (["bpfman"] + commandPath(arguments)).joined(separator: " ")
        CLIContext.writeError("bpfman: error: \(message)")
        CLIContext.write("Usage: \(path) …\nRun \"\(path) --help\" for more information.\n\n")
        return 80
    }

    /// The leading command words of `arguments`.
    private static func commandPath(_ arguments: [String]) -> [String] {
        var path: [String] = []
        var current: any ParsableCommand.Type = Bpfman.self
        for word in arguments {
            guard let next = current.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else { break }
            path.append(word)
            current = next
        }
        return path
    }

    /// ArgumentParser's message reworded the way kong (the reference's
    /// parser) says it.
    private static func parseMessage(_ error: any Error, arguments: [String]) -> String {
        let message = Bpfman.message(for: error)
        if message.hasPrefix("Unknown option '") {
            let flag = message.dropFirst("Unknown option '".count).prefix { $0 != "'" }
            return "unknown flag \(flag)"
        }
        if message.hasPrefix("Unexpected argument '") {
            let word = message.dropFirst("Unexpected argument '".count).prefix { $0 != "'" }
            return "unexpected argument \(word)"
        }
        // "2 unexpected arguments: 'a', 'b'": kong names the first.
        if let range = message.range(of: " unexpected arguments: '"), message[..<range.lowerBound].allSatisfy(\.isASCIIDigit) {
            return "unexpected argument \(message[range.upperBound...].prefix { $0 != "'" })"
        }
        if message.hasPrefix("Missing expected argument '") {
            let name = String(message.dropFirst("Missing expected argument '".count).prefix { $0 != "'" })
            // ArgumentParser takes `-1` for a flag, then misses the ID; kong
            // reads it as the value and refuses it as a number.
            if let negative = arguments.first(where: { $0.count > 1 && $0.hasPrefix("-") && $0.dropFirst().allSatisfy(\.isASCIIDigit) }) {
                if name == "<program-id>" { return "\(name): invalid program ID \"\(negative)\": must be a decimal number" }
                if name == "<link-id>" { return "\(name): invalid link ID \"\(negative)\": must be a decimal number" }
            }
            return "expected \"\(name)\""
        }
        return message.prefix(1).lowercased() + message.dropFirst()
    }
}

/// `bpfman version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show version information.")

    func run() throws {
        let rows = BuildInfo.rows
        let width = rows.map(\.0.count).max() ?? 0
        CLIContext.write(rows.map { $0.0 + ":" + String(repeating: " ", count: width - $0.0.count + 1) + $0.1 + "\n" }.joined())
    }
}

/// Hidden verb-noun aliases: `get program <id>`, `get link <id>`.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", shouldDisplay: false,
                                                    subcommands: [GetProgram.self, GetLink.self])
}

struct GetProgram: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "program")
    @Argument var programID: String
    @OptionGroup var output: OutputOptions
    func run() throws { try ProgramGet.show(programID, output: output) }
}

struct GetLink: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "link")
    @Argument var linkID: String
    @OptionGroup var output: OutputOptions
    func run() throws { try LinkGet.show(linkID, output: output) }
}
