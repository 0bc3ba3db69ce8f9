import ArgumentParser

/// `-o/--output text|json`.
package enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json

    package init?(argument: String) {
        self.init(rawValue: argument)
    }
}

/// The `-o` option, shared by every command that prints records.
package struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format: text or json.")
    var outputText: String = "text"

    package init() {}

    /// The validated format.
    package func format() throws(UsageError) -> OutputFormat {
        guard let format = OutputFormat(rawValue: outputText) else {
            throw UsageError("--output must be one of \"text\",\"json\" but got \"\(outputText)\"")
        }
        return format
    }
}
