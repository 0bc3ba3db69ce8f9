import Diagnostics

/// Exit statuses of `bpfman-ns`, one per error class, so the manager keeps
/// the class of a failure that crossed the process boundary.
package enum HelperExitCode {
    private static let table: [(ErrorCode, Int32)] = [
        (.notFound, 10), (.alreadyExists, 11), (.invalidArgument, 12), (.permissionDenied, 13),
        (.unsupported, 14), (.failedPrecondition, 15), (.unavailable, 16), (.internal, 17),
    ]

    /// The status for `code`.
    package static func status(_ code: ErrorCode) -> Int32 {
        table.first { $0.0 == code }?.1 ?? 1
    }

    /// The class for `status` (`.internal` for unknown statuses).
    package static func code(_ status: Int32) -> ErrorCode {
        table.first { $0.1 == status }?.0 ?? .internal
    }
}
