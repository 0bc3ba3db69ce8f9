import Logging
import Logs
import Testing

/// Lines are laid out as Go slog's text and JSON handlers lay them out.
@Suite struct LogLineTests {
    static let utc = LogTime(year: 2025, month: 3, day: 4, hour: 5, minute: 6, second: 7, millisecond: 8, utcOffset: 0)

    static func line(_ message: String, _ attributes: [(key: String, value: Logger.MetadataValue)] = [],
                     level: Logger.Level = .info, format: LogFormat = .text) -> String {
        LogLine(time: utc, level: level, message: message, attributes: attributes).rendered(format)
    }

    @Test("the text layout")
    func textLayout() {
        #expect(Self.line("opened database", [("component", "store"), ("path", "/run/bpfman/db/store.db")])
                == "time=2025-03-04T05:06:07.008Z level=INFO msg=\"opened database\" component=store path=/run/bpfman/db/store.db\n")
    }

    @Test("values are quoted as slog quotes them", arguments: [
        ("plain", "plain"),
        ("", #""""#),
        ("two words", #""two words""#),
        ("a=b", #""a=b""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"back\slash"#, #"back\slash"#),
        ("tab\there", #""tab\there""#),
        ("line\nbreak", #""line\nbreak""#),
        ("bell\u{07}", #""bell\a""#),
        ("esc\u{1B}", #""esc\x1b""#),
        ("del\u{7F}", "del\u{7F}"),
        ("héllo", "héllo"),
        ("nb\u{A0}sp", #""nb\u00a0sp""#),
        ("zero\u{200B}width", #""zero\u200bwidth""#),
        ("bad\u{FFFD}", "\"bad\u{FFFD}\""),
        ("emoji😀", "emoji😀"),
        ("private\u{F0000}", #""private\U000f0000""#),
    ])
    func textQuoting(value: String, written: String) {
        #expect(Self.line("m", [("k", .string(value))]) == "time=2025-03-04T05:06:07.008Z level=INFO msg=m k=\(written)\n")
    }

    @Test("slog's level names", arguments: [
        (Logger.Level.trace, "DEBUG-4"), (.debug, "DEBUG"), (.info, "INFO"), (.notice, "INFO+2"),
        (.warning, "WARN"), (.error, "ERROR"), (.critical, "ERROR+4"),
    ])
    func levelNames(level: Logger.Level, name: String) {
        #expect(Self.line("m", level: level) == "time=2025-03-04T05:06:07.008Z level=\(name) msg=m\n")
    }

    @Test("times are local with milliseconds, Z for UTC")
    func times() {
        let east = LogTime(year: 987, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999, utcOffset: 5 * 3600 + 30 * 60)
        let west = LogTime(year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5, millisecond: 60, utcOffset: -7 * 3600)
        #expect(east.rfc3339Milliseconds == "0987-12-31T23:59:59.999+05:30")
        #expect(west.rfc3339Milliseconds == "2025-01-02T03:04:05.060-07:00")
    }

    @Test("lists and dictionaries print as Go's %+v prints them")
    func compoundValues() {
        #expect(Self.line("m", [("ids", [.stringConvertible(1), .stringConvertible(2)]), ("labels", ["b": "2", "a": "x y"])])
                == "time=2025-03-04T05:06:07.008Z level=INFO msg=m ids=\"[1 2]\" labels=\"map[a:x y b:2]\"\n")
    }

    @Test("the JSON layout")
    func jsonLayout() {
        let line = Self.line("say \"hi\"\n", [("component", "manager"), ("program_id", .stringConvertible(12)), ("ok", .stringConvertible(true)),
                                              ("path", "<a&b>\u{01}\u{2028}"), ("ids", ["1"])], level: .warning, format: .json)
        #expect(line == #"{"time":"2025-03-04T05:06:07.008Z","level":"WARN","msg":"say \"hi\"\n","component":"manager","program_id":12,"ok":true,"path":"<a&b>\u0001\u2028","ids":["1"]}"# + "\n")
    }
}
