/// How log lines are written, as the reference's config file's
/// `[logging] format` chooses: Go slog's text or JSON handler layout.
package enum LogFormat: String, Sendable, CaseIterable {
    /// `time=… level=INFO msg="…" key=value`.
    case text
    /// `{"time":"…","level":"INFO","msg":"…","key":"value"}`.
    case json

    /// Parses `name` (case-insensitive, trimmed; empty is `text`).
    ///
    /// - Throws: `LogError` `unknown log format: "name"`.
    package init(parsing name: String) throws(LogError) {
        switch GoText.trimmed(name).lowercased() {
        case "text", "": self = .text
        case "json": self = .json
        default: throw LogError("unknown log format: \(GoText.quoted(name))")
        }
    }
}
