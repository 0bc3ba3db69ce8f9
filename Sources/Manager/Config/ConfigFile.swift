import Diagnostics
import Foundation
import LinuxSys
import Model

/// bpfman's configuration file (`/etc/bpfman/bpfman.toml`, `--config`,
/// `$BPFMAN_CONFIG`).
///
/// Read here: `[signing]` `verify_enabled`, `allow_unsigned` and
/// `public_keys` (paths of trusted cosign PEM keys), and `[logging]`
/// (``LoggingConfiguration``). Other tables and keys
/// are accepted and ignored, so a file written for the reference bpfman
/// loads unchanged.
package struct ConfigFile: Sendable, Equatable {
    /// The image signing policy.
    package var signing: SigningPolicy
    /// The log spec and line layout.
    package var logging: LoggingConfiguration

    /// The default path.
    package static let defaultPath = "/etc/bpfman/bpfman.toml"

    /// Creates a configuration with the defaults.
    package init(signing: SigningPolicy = SigningPolicy(), logging: LoggingConfiguration = LoggingConfiguration()) {
        self.signing = signing
        self.logging = logging
    }

    /// Reads `path`; a missing default file gives the defaults.
    ///
    /// - Parameter explicit: whether the user named the file (then it must exist).
    /// - Throws: `ManagerError` "failed to read config file: ..." for a
    ///   missing explicit file or one that does not parse, "invalid config:
    ///   ..." for a log spec or format that does not.
    package static func load(path: String, explicit: Bool) throws(ManagerError) -> ConfigFile {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch {
            if !explicit && error == .noSuchFileOrDirectory { return ConfigFile() }
            throw ManagerError("failed to read config file: open \(path)", call: "open", errno: error)
        }
        let document: TOMLSubset
        do { document = try TOMLSubset(parsing: String(decoding: bytes, as: UTF8.self)) } catch {
            throw ManagerError(.invalidArgument, "failed to read config file: \(path): \(error.message)")
        }
        var config = ConfigFile()
        let signing = document.tables["signing"] ?? [:]
        do throws(TOMLSubset.ParseError) {
            if let value = signing["verify_enabled"] { config.signing.verifyEnabled = try value.bool(key: "signing.verify_enabled") }
            if let value = signing["allow_unsigned"] { config.signing.allowUnsigned = try value.bool(key: "signing.allow_unsigned") }
            if let value = signing["public_keys"] { config.signing.publicKeyPaths = try value.strings(key: "signing.public_keys") }
        } catch {
            throw ManagerError(.invalidArgument, "failed to read config file: \(path): \(error.message)")
        }
        config.logging = try LoggingConfiguration.read(from: document, path: path)
        return config
    }
}

/// The part of TOML that configuration files use: `[table]` headers and
/// `key = value` lines with strings, booleans, integers and arrays of those
/// (arrays may span lines), and `#` comments.
struct TOMLSubset {
    /// A parse failure with its line.
    struct ParseError: Error {
        var message: String
    }

    /// A value.
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case array([Value])
        /// A value of a kind bpfman does not read (inline table, float, date).
        case other

        func bool(key: String) throws(ParseError) -> Bool {
            guard case .bool(let value) = self else { throw ParseError(message: "\(key): expected true or false") }
            return value
        }

        func strings(key: String) throws(ParseError) -> [String] {
            guard case .array(let values) = self else { throw ParseError(message: "\(key): expected an array of strings") }
            var result: [String] = []
            for value in values {
                guard case .string(let text) = value else { throw ParseError(message: "\(key): expected an array of strings") }
                result.append(text)
            }
            return result
        }
    }

    /// Keys by table name; top-level keys are under "".
    var tables: [String: [String: Value]] = [:]

    init(parsing text: String) throws(ParseError) {
        var table = ""
        var pending = ""
        var pendingLine = 0
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.stripComment(String(rawLine)).trimmingCharacters(in: .whitespacesAndNewlines)
            if !pending.isEmpty {
                pending += " " + line
                if Self.bracketsBalanced(pending) { try assign(pending, table: table, line: pendingLine); pending = "" }
                continue
            }
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw ParseError(message: "line \(number + 1): bad table header \(line)") }
                table = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).trimmingCharacters(in: .whitespacesAndNewlines)
                tables[table, default: [:]] = tables[table] ?? [:]
                continue
            }
            if Self.bracketsBalanced(line) {
                try assign(line, table: table, line: number + 1)
            } else {
                pending = line
                pendingLine = number + 1
            }
        }
        guard pending.isEmpty else { throw ParseError(message: "line \(pendingLine): unterminated array") }
    }

    private mutating func assign(_ line: String, table: String, line number: Int) throws(ParseError) {
        guard let equals = line.firstIndex(of: "=") else { throw ParseError(message: "line \(number): expected key = value") }
        var key = String(line[..<equals]).trimmingCharacters(in: .whitespacesAndNewlines)
        if key.hasPrefix("\"") && key.hasSuffix("\"") && key.count >= 2 { key = String(key.dropFirst().dropLast()) }
        var rest = Substring(String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespacesAndNewlines))
        let value = try Self.value(&rest, line: number)
        guard rest.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ParseError(message: "line \(number): unexpected \(rest)") }
        tables[table, default: [:]][key] = value
    }

    private static func value(_ text: inout Substring, line: Int) throws(ParseError) -> Value {
        text = text.drop { $0 == " " || $0 == "\t" }
        guard let first = text.first else { throw ParseError(message: "line \(line): missing value") }
        switch first {
        case "\"", "'":
            text = text.dropFirst()
            var result = ""
            while let character = text.first, character != first {
                text = text.dropFirst()
                if character == "\\" && first == "\"", let escaped = text.first {
                    text = text.dropFirst()
                    switch escaped {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    default: result.append(escaped)
                    }
                } else {
                    result.append(character)
                }
            }
            guard text.first == first else { throw ParseError(message: "line \(line): unterminated string") }
            text = text.dropFirst()
            return .string(result)
        case "{":
            var depth = 0
            while let character = text.first {
                text = text.dropFirst()
                if character == "{" { depth += 1 }
                if character == "}" { depth -= 1; if depth == 0 { return .other } }
            }
            throw ParseError(message: "line \(line): unterminated inline table")
        case "[":
            text = text.dropFirst()
            var values: [Value] = []
            while true {
                text = text.drop { $0 == " " || $0 == "\t" || $0 == "," }
                if text.first == "]" { text = text.dropFirst(); return .array(values) }
                guard !text.isEmpty else { throw ParseError(message: "line \(line): unterminated array") }
                values.append(try value(&text, line: line))
            }
        default:
            let word = text.prefix { $0 != "," && $0 != "]" && $0 != " " }
            text = text.dropFirst(word.count)
            if word == "true" { return .bool(true) }
            if word == "false" { return .bool(false) }
            if let number = Int(word.replacingUnderscores()) { return .integer(number) }
            guard !word.isEmpty else { throw ParseError(message: "line \(line): missing value") }
            return .other
        }
    }

    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var result = ""
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                break
            }
            result.append(character)
        }
        return result
    }

    private static func bracketsBalanced(_ text: String) -> Bool {
        var depth = 0
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "[": depth += 1
            case "]": depth -= 1
            default: break
            }
        }
        return depth <= 0
    }
}

extension StringProtocol {

    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
