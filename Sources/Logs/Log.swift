import Glibc
// Code that logs imports Logs alone and gets swift-log's `Logger` with it.
@_exported import Logging
import Synchronization

/// What decides bpfman's log lines: the spec, the layout and where lines go.
package struct LogSettings: Sendable {
    /// The levels.
    package var spec: LogSpec
    /// The layout.
    package var format: LogFormat
    /// Writes one rendered line (newline included).
    package var sink: @Sendable (String) -> Void

    /// Creates settings; by default `warn`, text, to stderr.
    package init(spec: LogSpec = LogSpec(), format: LogFormat = .text, sink: @escaping @Sendable (String) -> Void = Log.standardError) {
        self.spec = spec
        self.format = format
        self.sink = sink
    }
}

/// Where a handler reads its ``LogSettings`` from: the process's (set by
/// ``Log/bootstrap(spec:format:sink:)``) or a fixed set.
package struct LogSettingsSource: Sendable {
    private let read: @Sendable () -> LogSettings

    /// The process's settings, as last bootstrapped.
    package static let process = LogSettingsSource { Log.settings.withLock { $0 } }

    /// Always `settings`.
    package static func fixed(_ settings: LogSettings) -> LogSettingsSource { LogSettingsSource { settings } }

    private init(_ read: @escaping @Sendable () -> LogSettings) { self.read = read }

    /// The settings now.
    var current: LogSettings { read() }
}

/// The process's logging: set up once by each executable from `--log`,
/// `$BPFMAN_LOG` or the config file, then used through ``Logging/Logger/bpfman(_:)``.
package enum Log {
    /// The settings every ``BpfmanLogHandler`` following the process reads.
    static let settings = Mutex(LogSettings())
    private static let bootstrapped = Mutex(false)

    /// Sets the process's log spec, layout and output. Safe to call more
    /// than once: the last call wins, for loggers made before it as well.
    /// The first call also makes swift-log's `Logger(label:)` use
    /// ``BpfmanLogHandler``, so libraries' lines follow the same spec.
    package static func bootstrap(spec: LogSpec, format: LogFormat = .text, sink: @escaping @Sendable (String) -> Void = standardError) {
        settings.withLock { $0 = LogSettings(spec: spec, format: format, sink: sink) }
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { LoggingSystem.bootstrap { BpfmanLogHandler(label: $0) } }
    }

    /// Writes `line` to stderr in one `write(2)` where it fits, so that
    /// lines of concurrent threads do not interleave.
    @Sendable package static func standardError(_ line: String) {
        var line = line
        line.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(2, base + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; return }
                offset += written
            }
        }
    }
}

extension Logger {
    /// The logger of `component`, following the process's log settings
    /// whether or not swift-log was bootstrapped. Cheap to make; an event
    /// below the component's level costs a level lookup and nothing else.
    package static func bpfman(_ component: LogComponent) -> Logger {
        Logger(label: component.rawValue) { BpfmanLogHandler(label: $0) }
    }
}
