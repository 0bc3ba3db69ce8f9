/// Why a log spec, level or format was refused.
///
/// `message` is worded as the reference bpfman words it, without the
/// `invalid log spec: ` or `invalid config: ` context its callers add.
package struct LogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, e.g. `unknown log level: "loud"`.
    package var message: String

    /// Creates an error with `message`.
    package init(_ message: String) { self.message = message }

    /// The message.
    package var description: String { message }
}
