import Logging
import Logs
import Synchronization
import Testing

/// Each component logs at the level the spec gives it; lines carry the
/// component and the metadata in a fixed order.
@Suite struct LogHandlerTests {
    /// Strings collected from any thread.
    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
    }

    /// The lines written through a handler following `spec`.
    final class Capture: Sendable {
        let lines: Lines
        let settings: LogSettingsSource

        init(_ spec: String, format: LogFormat = .text) throws {
            let spec = try LogSpec(parsing: spec)
            let lines = Lines()
            self.lines = lines
            settings = .fixed(LogSettings(spec: spec, format: format) { line in lines.append(line) })
        }

        func logger(_ label: String) -> Logger {
            Logger(label: label) { [settings] in BpfmanLogHandler(label: $0, settings: settings) }
        }

        /// The captured lines without their `time=…` field.
        var written: [String] {
            lines.all.map { line in String(line.drop { $0 != " " }.dropFirst()) }
        }
    }

    @Test("levels apply per component")
    func perComponent() throws {
        let capture = try Capture("warn,manager=debug,store=error")
        for label in ["manager", "store", "server"] {
            let logger = capture.logger(label)
            logger.trace("t")
            logger.debug("d")
            logger.info("i")
            logger.warning("w")
            logger.error("e")
        }
        #expect(capture.written == [
            "level=DEBUG msg=d component=manager\n", "level=INFO msg=i component=manager\n",
            "level=WARN msg=w component=manager\n", "level=ERROR msg=e component=manager\n",
            "level=ERROR msg=e component=store\n",
            "level=WARN msg=w component=server\n", "level=ERROR msg=e component=server\n",
        ])
    }

    @Test("the component metadata key names the component, and its level applies")
    func componentMetadata() throws {
        let capture = try Capture("error,repair=info")
        var logger = capture.logger("org.example.library")
        logger.info("dropped")
        logger[metadataKey: LogKey.component] = "repair"
        logger.info("kept")
        #expect(capture.written == ["level=INFO msg=kept component=repair\n"])
    }

    @Test("a filtered event's message is never built")
    func filteredIsCheap() throws {
        let capture = try Capture("warn")
        let built = Lines()
        let logger = capture.logger("manager")
        func message() -> Logger.Message {
            built.append("built")
            return "built"
        }
        logger.debug(message())
        #expect(built.all.isEmpty)
        logger.warning(message())
        #expect(built.all == ["built"])
    }

    @Test("metadata: component, the logger's sorted, the event's sorted, then the error")
    func metadataOrder() throws {
        struct Failure: Error, CustomStringConvertible { var description: String { "pin gone" } }
        let capture = try Capture("info")
        var logger = capture.logger("manager")
        logger[metadataKey: "pid"] = "42"
        logger[metadataKey: "container_id"] = "abc"
        logger[metadataKey: "link_id"] = "1"
        logger.info("attached", error: Failure(), metadata: ["program_id": "7", "link_id": "9", "attach": "uprobe"])
        #expect(capture.written == [
            "level=INFO msg=attached component=manager container_id=abc pid=42 attach=uprobe link_id=9 program_id=7 error=\"pin gone\"\n",
        ])
    }

    @Test("setting a logger's level overrides the spec for that logger only")
    func levelOverride() throws {
        let capture = try Capture("error")
        var loud = capture.logger("agent")
        loud.logLevel = .debug
        loud.debug("one")
        capture.logger("agent").debug("two")
        #expect(capture.written == ["level=DEBUG msg=one component=agent\n"])
    }
}
