import Logging
import Logs
import Testing

/// `--log` specs parse as the reference bpfman parses them, with its wording
/// for the ones it refuses.
@Suite struct LogSpecTests {
    @Test("valid specs", arguments: [
        ("", LogSpec(base: .warning)),
        ("debug", LogSpec(base: .debug)),
        ("TRACE", LogSpec(base: .trace)),
        ("Warning", LogSpec(base: .warning)),
        ("err", LogSpec(base: .error)),
        ("info,manager=debug", LogSpec(base: .info, components: ["manager": .debug])),
        ("warn,manager=debug,store=trace", LogSpec(base: .warning, components: ["manager": .debug, "store": .trace])),
        ("  info , manager = debug , store = trace  ", LogSpec(base: .info, components: ["manager": .debug, "store": .trace])),
        ("manager=debug", LogSpec(base: .warning, components: ["manager": .debug])),
        ("info,,manager=debug,", LogSpec(base: .info, components: ["manager": .debug])),
        ("error,nosuchpart=info", LogSpec(base: .error, components: ["nosuchpart": .info])),
        ("info,store=debug,store=error", LogSpec(base: .info, components: ["store": .error])),
    ])
    func valid(text: String, expected: LogSpec) throws {
        #expect(try LogSpec(parsing: text) == expected)
    }

    @Test("invalid specs", arguments: [
        ("loud", #"unknown log level: "loud""#),
        ("info,manager=loud", #"invalid level for component "manager": unknown log level: "loud""#),
        ("info,manager=", #"invalid level for component "manager": unknown log level: """#),
        ("info,manager=debug=x", #"invalid level for component "manager": unknown log level: "debug=x""#),
        ("manager=debug,info", #"base level "info" must be first in spec"#),
        (",debug", #"base level "debug" must be first in spec"#),
        ("info,=debug", #"empty component name in "=debug""#),
        ("info, = debug", #"empty component name in "= debug""#),
        ("in\tfo", #"unknown log level: "in\tfo""#),
    ])
    func invalid(text: String, message: String) {
        #expect(throws: LogError(message)) { try LogSpec(parsing: text) }
    }

    @Test("a component's level is its own, else the base level")
    func levelFor() throws {
        let spec = try LogSpec(parsing: "warn,manager=debug,store=trace")
        #expect(spec.level(for: "manager") == .debug)
        #expect(spec.level(for: "store") == .trace)
        #expect(spec.level(for: "server") == .warning)
        #expect(spec.level(for: "") == .warning)
    }

    @Test("formats", arguments: [("text", LogFormat.text), ("", .text), (" JSON ", .json)])
    func formats(name: String, format: LogFormat) throws {
        #expect(try LogFormat(parsing: name) == format)
    }

    @Test("an unknown format is refused")
    func unknownFormat() {
        #expect(throws: LogError(#"unknown log format: "xml""#)) { try LogFormat(parsing: "xml") }
    }
}
