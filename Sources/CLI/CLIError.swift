import Diagnostics

/// A parse or validation failure: exit 80 with usage on stdout.
struct UsageError: Error, CustomStringConvertible {
    /// The message after `bpfman: error: `.
    var message: String
    var description: String { message }

    init(_ message: String) { self.message = message }
}

/// A runtime failure already reported on stderr (batch verbs): exit 1
/// with `message` as the summary line.
struct BatchFailure: Error {
    /// The summary line.
    var message: String
}
