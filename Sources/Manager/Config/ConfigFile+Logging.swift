import Diagnostics
import Logs

/// The config file's `[logging]` table, as the reference reads it:
///
/// ```toml
/// [logging]
/// level = "info,manager=debug"   # a log spec; "info" when unset
/// format = "text"                # or "json"
///
/// [logging.components]           # more component=level pairs
/// store = "warn"
/// ```
package struct LoggingConfiguration: Sendable, Equatable {
    /// `level`: a log spec.
    package var level = "info"
    /// `[logging.components]`: levels by component, added after `level`.
    package var components: [String: String] = [:]
    /// `format`: the line layout.
    package var format = LogFormat.text

    /// Creates the defaults: `info`, text.
    package init() {}

    /// The spec the file gives: `level` (or `info` when only components are
    /// set) followed by the components' `name=level` pairs; empty when
    /// `level` is empty and there are no components.
    package var specText: String {
        if level.isEmpty && components.isEmpty { return "" }
        let base = level.isEmpty ? "info" : level
        return ([base] + components.sorted { $0.key < $1.key }.map { $0.key + "=" + $0.value }).joined(separator: ",")
    }

    /// Reads `[logging]` and `[logging.components]` from `document`, the
    /// contents of `path`.
    ///
    /// - Throws: `ManagerError` (`.invalidArgument`) "failed to read config
    ///   file: PATH: KEY: expected a string" for a value of the wrong type,
    ///   and, as the reference words it, "invalid config: unknown log format:
    ///   \"x\"" or "invalid config: " and why the spec does not parse.
    static func read(from document: TOMLSubset, path: String) throws(ManagerError) -> LoggingConfiguration {
        var logging = LoggingConfiguration()
        var format = ""
        do throws(TOMLSubset.ParseError) {
            let table = document.tables["logging"] ?? [:]
            if let value = table["level"] { logging.level = try value.string(key: "logging.level") }
            if let value = table["format"] { format = try value.string(key: "logging.format") }
            for (name, value) in document.tables["logging.components"] ?? [:] {
                logging.components[name] = try value.string(key: "logging.components." + name)
            }
        } catch {
            throw ManagerError(.invalidArgument, "failed to read config file: \(path): \(error.message)")
        }
        do throws(LogError) {
            logging.format = try LogFormat(parsing: format)
            _ = try LogSpec(parsing: logging.specText)
        } catch {
            throw ManagerError(.invalidArgument, "invalid config: \(error.message)")
        }
        return logging
    }
}

extension TOMLSubset.Value {
    /// The string this value is.
    ///
    /// - Throws: `ParseError` "KEY: expected a string" otherwise.
    func string(key: String) throws(TOMLSubset.ParseError) -> String {
        guard case .string(let text) = self else { throw TOMLSubset.ParseError(message: "\(key): expected a string") }
        return text
    }
}
