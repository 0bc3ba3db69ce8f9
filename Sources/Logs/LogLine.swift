import Logging

/// One log event, ready to be written as one line in the reference's
/// layout (Go slog's text or JSON handler).
package struct LogLine: Sendable {
    /// When it happened.
    package var time: LogTime
    /// How severe it is.
    package var level: Logger.Level
    /// What happened.
    package var message: String
    /// Key-value pairs, in the order they are written.
    package var attributes: [(key: String, value: Logger.MetadataValue)]

    /// Creates a line.
    package init(time: LogTime, level: Logger.Level, message: String, attributes: [(key: String, value: Logger.MetadataValue)]) {
        self.time = time
        self.level = level
        self.message = message
        self.attributes = attributes
    }

    /// The line, newline included.
    package func rendered(_ format: LogFormat) -> String {
        switch format {
        case .text:
            var line = "time=" + time.rfc3339Milliseconds + " level=" + Self.levelName(level) + " msg=" + GoText.textValue(message)
            for (key, value) in attributes {
                line += " " + GoText.textValue(key) + "=" + GoText.textValue(Self.text(value))
            }
            return line + "\n"
        case .json:
            var line = "{\"time\":\"" + time.rfc3339Milliseconds + "\",\"level\":\"" + Self.levelName(level) + "\",\"msg\":" + GoText.jsonString(message)
            for (key, value) in attributes {
                line += "," + GoText.jsonString(key) + ":" + Self.json(value)
            }
            return line + "}\n"
        }
    }

    /// The name slog gives the level: bpfman's levels are slog's numbers
    /// (trace -8, debug -4, info 0, warn 4, error 8; notice 2 and critical
    /// 12 between and above), named after the nearest level at or below
    /// with the distance, as `DEBUG-4` for trace.
    static func levelName(_ level: Logger.Level) -> String {
        let value: Int
        switch level {
        case .trace: value = -8
        case .debug: value = -4
        case .info: value = 0
        case .notice: value = 2
        case .warning: value = 4
        case .error: value = 8
        case .critical: value = 12
        }
        let (name, base) = value < 0 ? ("DEBUG", -4) : value < 4 ? ("INFO", 0) : value < 8 ? ("WARN", 4) : ("ERROR", 8)
        let offset = value - base
        return offset == 0 ? name : name + (offset > 0 ? "+" : "") + String(offset)
    }

    /// A value as Go's `%+v` prints it: lists as `[a b]`, dictionaries as
    /// `map[k:v]` with sorted keys.
    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return "[" + values.map(text).joined(separator: " ") + "]"
        case .dictionary(let values):
            return "map[" + values.sorted { $0.key < $1.key }.map { $0.key + ":" + text($0.value) }.joined(separator: " ") + "]"
        }
    }

    /// A value as JSON: numbers and booleans bare, lists as arrays,
    /// dictionaries as objects with sorted keys, anything else as a string.
    private static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): return GoText.jsonString(string)
        case .stringConvertible(let convertible):
            if convertible is any BinaryInteger || convertible is Bool { return convertible.description }
            return GoText.jsonString(convertible.description)
        case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values):
            return "{" + values.sorted { $0.key < $1.key }.map { GoText.jsonString($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }
}
