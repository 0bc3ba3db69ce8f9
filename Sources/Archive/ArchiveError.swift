import Diagnostics

/// Tags the failures of reading or writing an archive.
package enum ArchiveDomain: ErrorDomain {}

/// A failure reading or writing an archive: a gzip stream, a tar archive or
/// an OCI layer that is corrupt, too large or unsafe to unpack.
package typealias ArchiveError = ModuleError<ArchiveDomain>

extension ArchiveError {
    /// Longest stretch of a name quoted in a message, in Unicode scalars.
    static var quotedLimit: Int { 200 }

    /// `text` in double quotes with control characters escaped, cut short
    /// when long, for naming untrusted entries in messages.
    static func quoted(_ text: String) -> String {
        guard text.unicodeScalars.count > quotedLimit else { return text.debugDescription }
        return (String(text.unicodeScalars.prefix(quotedLimit)) + "...").debugDescription
    }

    /// A refusal of one layer entry: `layer entry "path": why`.
    static func entry(_ path: String, _ why: String, code: ErrorCode = .invalidArgument) -> ArchiveError {
        ArchiveError(code, "layer entry \(quoted(path)): \(why)")
    }
}
