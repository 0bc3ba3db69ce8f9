/// Go's text rules the reference's log lines follow: `strconv.Quote`, the
/// slog text handler's choice of which values to quote, the slog JSON
/// handler's string escaping, and `strings.TrimSpace`.
enum GoText {
    /// `text` without leading and trailing white space.
    static func trimmed<Text: StringProtocol>(_ text: Text) -> String {
        String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// `text` as Go's `strconv.Quote` (`%q`) writes it: in double quotes,
    /// `"` and `\` backslashed, printable characters kept, `\n` `\t` and the
    /// other C escapes, `\x..` for other control bytes, `\u....` and
    /// `\U........` for other unprintable characters.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where isPrint(scalar): result.unicodeScalars.append(scalar)
            case "\u{07}": result += "\\a"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{0B}": result += "\\v"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += "\\x" + hex(scalar.value, digits: 2)
            case _ where scalar.value < 0x10000: result += "\\u" + hex(scalar.value, digits: 4)
            default: result += "\\U" + hex(scalar.value, digits: 8)
            }
        }
        return result + "\""
    }

    /// `text` as a slog text handler value: as is, or quoted when it is
    /// empty or holds a space, `=`, `"`, a control character, or a
    /// non-ASCII space, unprintable character or U+FFFD.
    static func textValue(_ text: String) -> String {
        needsQuoting(text) ? quoted(text) : text
    }

    private static func needsQuoting(_ text: String) -> Bool {
        if text.isEmpty { return true }
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                // slog quotes what JSON would escape (but `\`), and space and `=`.
                if scalar == " " || scalar == "=" || scalar == "\"" || scalar.value < 0x20 { return true }
            } else if scalar == "\u{FFFD}" || scalar.properties.isWhitespace || !isPrint(scalar) {
                return true
            }
        }
        return false
    }

    /// `text` as a JSON string the way slog's JSON handler escapes it: `"`
    /// and `\` backslashed, `\n` `\r` `\t`, `\u00..` for other control
    /// characters, `\u2028` and `\u2029`; everything else as is.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{2028}", "\u{2029}": result += "\\u" + hex(scalar.value, digits: 4)
            case _ where scalar.value < 0x20: result += "\\u" + hex(scalar.value, digits: 4)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Whether Go's `unicode.IsPrint` holds: a letter, mark, number,
    /// punctuation or symbol, or the ASCII space.
    static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
