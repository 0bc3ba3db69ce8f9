import Diagnostics

/// A parse or validation failure: exit 80 with usage on stdout.
package struct UsageError: Error, CustomStringConvertible {
    /// The message after `bpfman: error: `.
    package var message: String
    package var description: String { message }

    package init(_ message: String) { self.message = message }
}

/// A runtime failure already reported on stderr (batch verbs): exit 1
/// with `message` as the summary line.
struct BatchFailure: Error {
    /// The summary line.
    var message: String
}
