import Logging

/// A log specification: a base level and per-component overrides, written
/// `level[,component=level…]` (`--log`, `$BPFMAN_LOG`, the config file's
/// `[logging] level`).
///
/// Parsed as the reference bpfman parses it: parts are split on `,` and
/// trimmed, empty parts are skipped, a part without `=` is the base level and
/// must come first, level names are case-insensitive (`warning` and `err` are
/// accepted too), and component names are not checked (an unknown one names
/// nothing). An empty spec is `warn`.
package struct LogSpec: Equatable, Sendable {
    /// The level of every component the spec does not name.
    package var base: Logger.Level
    /// The levels of the components the spec names.
    package var components: [String: Logger.Level]

    /// Creates a spec.
    package init(base: Logger.Level = .warning, components: [String: Logger.Level] = [:]) {
        self.base = base
        self.components = components
    }

    /// Parses `text`.
    ///
    /// - Throws: `LogError` worded as the reference words it:
    ///   `unknown log level: "x"`, `invalid level for component "c": unknown
    ///   log level: "x"`, `empty component name in "=x"`, or `base level "x"
    ///   must be first in spec`.
    package init(parsing text: String) throws(LogError) {
        self.init()
        let trimmed = GoText.trimmed(text)
        guard !trimmed.isEmpty else { return }
        for (index, rawPart) in trimmed.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let part = GoText.trimmed(rawPart)
            if part.isEmpty { continue }
            if let equals = part.firstIndex(of: "=") {
                let component = GoText.trimmed(part[..<equals])
                let levelText = GoText.trimmed(part[part.index(after: equals)...])
                guard !component.isEmpty else { throw LogError("empty component name in \(GoText.quoted(part))") }
                do {
                    components[component] = try Self.level(named: levelText)
                } catch {
                    throw LogError("invalid level for component \(GoText.quoted(component)): \(error.message)")
                }
            } else {
                guard index == 0 else { throw LogError("base level \(GoText.quoted(part)) must be first in spec") }
                base = try Self.level(named: part)
            }
        }
    }

    /// The level `component` logs at: its own, or the base level.
    package func level(for component: String) -> Logger.Level {
        components[component] ?? base
    }

    /// The level called `name`: trace, debug, info, warn (or warning), error
    /// (or err), in any case.
    ///
    /// - Throws: `LogError` `unknown log level: "name"`.
    package static func level(named name: String) throws(LogError) -> Logger.Level {
        switch GoText.trimmed(name).lowercased() {
        case "trace": return .trace
        case "debug": return .debug
        case "info": return .info
        case "warn", "warning": return .warning
        case "error", "err": return .error
        default: throw LogError("unknown log level: \(GoText.quoted(name))")
        }
    }
}
