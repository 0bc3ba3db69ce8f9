import LinuxSys

/// The namespace helper's log lines. The parent passes the level of its
/// `helper` log component in `_BPFMAN_NS_LOG_LEVEL` (the reference's name);
/// `bpfman-ns` writes each event at or above it to stderr as one line,
/// `level=DEBUG msg="…" key=value …`, and the parent forwards the line to its
/// own log at that level. Whatever else the helper writes to stderr is the
/// failure message.
package enum HelperLog {
    /// The environment variable carrying the level.
    package static let environmentKey = "_BPFMAN_NS_LOG_LEVEL"

    /// A line's level, lowest first.
    package enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warn, error

        /// The level's name in a line (`DEBUG`) and in the variable (`debug`).
        package var name: String {
            switch self {
            case .debug: "DEBUG"
            case .info: "INFO"
            case .warn: "WARN"
            case .error: "ERROR"
            }
        }

        /// The level named `name`, either case; nil for another word.
        package init?(name: some StringProtocol) {
            guard let level = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
            self = level
        }

        /// Orders by severity.
        package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// One event the helper reported.
    package struct Event: Equatable, Sendable {
        /// Its level.
        package var level: Level
        /// The message.
        package var message: String
        /// Key-value details, in the order written.
        package var fields: [(key: String, value: String)]

        /// Creates an event.
        package init(level: Level, message: String, fields: [(key: String, value: String)] = []) {
            self.level = level; self.message = message; self.fields = fields
        }

        /// Compares level, message and fields.
        package static func == (a: Event, b: Event) -> Bool {
            a.level == b.level && a.message == b.message && a.fields.elementsEqual(b.fields) { $0 == $1 }
        }

        /// The line for this event, newline included.
        package var line: String {
            var line = "level=\(level.name) msg=\(HelperLog.quoted(message))"
            for (key, value) in fields { line += " \(key)=\(HelperLog.quoted(value))" }
            return line + "\n"
        }
    }

    /// Splits what the helper wrote to stderr into its events and the rest,
    /// the failure message (trimmed lines, in order).
    package static func split(_ text: String) -> (events: [Event], message: String) {
        var events: [Event] = []
        var rest: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let event = parse(line) { events.append(event) } else { rest.append(line) }
        }
        return (events, rest.joined(separator: "\n").trimmingWhitespace())
    }

    /// The event a line holds, or nil when it is not one.
    static func parse(_ line: Substring) -> Event? {
        guard line.hasPrefix("level=") else { return nil }
        var pairs: [(key: String, value: String)] = []
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, line[index] == " " { index = line.index(after: index) }
            guard index < line.endIndex else { break }
            guard let equals = line[index...].firstIndex(of: "=") else { return nil }
            let key = String(line[index..<equals])
            index = line.index(after: equals)
            var value = ""
            if index < line.endIndex, line[index] == "\"" {
                index = line.index(after: index)
                var closed = false
                while index < line.endIndex {
                    let character = line[index]
                    index = line.index(after: index)
                    if character == "\"" { closed = true; break }
                    if character == "\\", index < line.endIndex {
                        let escaped = line[index]
                        index = line.index(after: index)
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { return nil }
            } else {
                let end = line[index...].firstIndex(of: " ") ?? line.endIndex
                value = String(line[index..<end])
                index = end
            }
            pairs.append((key, value))
        }
        guard pairs.count >= 2, pairs[0].key == "level", let level = Level(name: pairs[0].value), pairs[1].key == "msg" else { return nil }
        return Event(level: level, message: pairs[1].value, fields: Array(pairs.dropFirst(2)))
    }

    /// `value` as a line writes it: bare when it has no space, quote,
    /// backslash, `=` or newline, else quoted with those escaped.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { " \"\\=\n".contains($0) }) else { return value }
        var quoted = "\""
        for character in value {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
