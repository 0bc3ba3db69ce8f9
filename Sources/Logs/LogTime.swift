import Glibc

/// A wall-clock instant in the local time zone, written as slog writes it:
/// RFC 3339 with milliseconds (truncated), `Z` for UTC, otherwise `±hh:mm`.
package struct LogTime: Equatable, Sendable {
    /// The local calendar fields.
    package var year, month, day, hour, minute, second, millisecond: Int
    /// Seconds east of UTC.
    package var utcOffset: Int

    /// Creates a time from its local fields.
    package init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int, utcOffset: Int) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second, self.millisecond) = (hour, minute, second, millisecond)
        self.utcOffset = utcOffset
    }

    /// Now, in the local time zone (`$TZ`, else `/etc/localtime`).
    package static func now() -> LogTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var fields = tm()
        localtime_r(&seconds, &fields)
        return LogTime(year: Int(fields.tm_year) + 1900, month: Int(fields.tm_mon) + 1, day: Int(fields.tm_mday),
                       hour: Int(fields.tm_hour), minute: Int(fields.tm_min), second: Int(fields.tm_sec),
                       millisecond: spec.tv_nsec / 1_000_000, utcOffset: fields.tm_gmtoff)
    }

    /// `2006-01-02T15:04:05.000Z07:00`.
    package var rfc3339Milliseconds: String {
        var text = Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2)
        text += "T" + Self.padded(hour, 2) + ":" + Self.padded(minute, 2) + ":" + Self.padded(second, 2)
        text += "." + Self.padded(millisecond, 3)
        guard utcOffset != 0 else { return text + "Z" }
        let minutes = abs(utcOffset) / 60
        return text + (utcOffset < 0 ? "-" : "+") + Self.padded(minutes / 60, 2) + ":" + Self.padded(minutes % 60, 2)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
