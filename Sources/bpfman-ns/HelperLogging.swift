import Glibc
import Targets

/// The level the parent asked for in `_BPFMAN_NS_LOG_LEVEL`; nil: no lines.
let helperLogLevel: HelperLog.Level? = getenv(HelperLog.environmentKey).flatMap { HelperLog.Level(name: String(cString: $0)) }

/// Writes one event to stderr when the parent's level lets it through; the
/// parent forwards it to its own log.
func helperLog(_ level: HelperLog.Level, _ message: String, _ fields: [(key: String, value: String)] = []) {
    guard let threshold = helperLogLevel, level >= threshold else { return }
    let line = HelperLog.Event(level: level, message: message, fields: fields).line
    _ = line.withCString { write(2, $0, strlen($0)) }
}
