import Glibc

/// Faults a test can switch on in a running bpfman through the environment
/// (`BPFMAN_FAILPOINTS=name[,name…]`), for failures no real input can cause
/// on a healthy host. Read once per process.
///
/// - `netns-return`: switching a thread back from a network namespace fails.
/// - `kill-after-pin`: a load is killed (SIGKILL) once its program is
///   pinned and before its record is written: the crash repair must mend.
package enum Failpoint {
    private static let active: Set<Substring> = {
        guard let value = getenv("BPFMAN_FAILPOINTS") else { return [] }
        return Set(String(cString: value).split(separator: ","))
    }()

    /// Whether failpoint `name` is switched on.
    package static func isSet(_ name: String) -> Bool { !active.isEmpty && active.contains(Substring(name)) }

    /// Kills the process with SIGKILL, as a crash would, when `name` is set.
    package static func killIfSet(_ name: String) {
        if isSet(name) { raise(SIGKILL) }
    }
}
