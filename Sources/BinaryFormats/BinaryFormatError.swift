/// The single error type thrown by every parser in the `BinaryFormats` module.
///
/// `message` is lowercase, names the format first (for example
/// `"ld.so.cache: entry 3 string offset 99999 out of range"`) and has no
/// trailing period, so callers can embed it in their own messages.
package struct BinaryFormatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Broad classification of a parse failure.
    package enum Kind: Equatable, Sendable {
        /// The input ended before a structure it announces.
        case truncated
        /// The input does not start with the expected magic bytes.
        case badMagic
        /// The input is well formed but uses a variant this module does not handle.
        case unsupported
        /// The input contradicts itself: offsets or counts out of range, missing terminators and so on.
        case malformed
    }

    /// What kind of failure this is.
    package let kind: Kind
    /// Human readable, lowercase explanation without a trailing period.
    package let message: String

    /// Creates an error of the given kind with a lowercase message.
    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message, suitable for logs and error output.
    package var description: String { message }
}
