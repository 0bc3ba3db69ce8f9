import Glibc

/// A Prometheus text exposition (format 0.0.4) being written: one family
/// header, then its samples, family after family.
package struct PrometheusText {
    /// The exposition so far.
    package private(set) var output = ""

    /// An empty exposition.
    package init() {}

    /// The `Content-Type` of the format.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Starts family `name` of `type` (`gauge`, `counter`, `histogram`).
    package mutating func family(_ name: String, _ type: String, help: String) {
        output += "# HELP \(name) "
        for character in help.unicodeScalars {
            switch character {
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            default: output.unicodeScalars.append(character)
            }
        }
        output += "\n# TYPE \(name) \(type)\n"
    }

    /// One sample of `name` with `labels` (in order) and `value`, already
    /// in the format's number syntax.
    package mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        output += name
        if !labels.isEmpty {
            output += "{"
            for (index, (key, text)) in labels.enumerated() {
                if index > 0 { output += "," }
                output += key
                output += "=\""
                Self.appendEscaped(text, to: &output)
                output += "\""
            }
            output += "}"
        }
        output += " "
        output += value
        output += "\n"
    }

    /// Label values escape backslash, double quote and line feed.
    private static func appendEscaped(_ text: String, to output: inout String) {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            output += text
            return
        }
        for character in text.unicodeScalars {
            switch character {
            case "\\": output += "\\\\"
            case "\"": output += "\\\""
            case "\n": output += "\\n"
            default: output.unicodeScalars.append(character)
            }
        }
    }

    /// `nanoseconds` as exact decimal seconds (`12.000000345`).
    package static func seconds(nanoseconds: UInt64) -> String {
        let fraction = String(nanoseconds % 1_000_000_000)
        return "\(nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }

    /// `nanoseconds` since the epoch as UTC `YYYY-MM-DD HH:MM:SS`.
    static func utcTimestamp(nanoseconds: UInt64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
