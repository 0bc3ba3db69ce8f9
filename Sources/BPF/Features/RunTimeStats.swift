internal import CLibbpf
import Diagnostics
import Glibc
import SystemPackage

/// The kernel's per-program run statistics (`run_cnt` and `run_time_ns` in
/// `struct bpf_prog_info`), counted for as long as this value lives.
///
/// `BPF_ENABLE_STATS` with `BPF_STATS_RUN_TIME` returns a descriptor; the
/// kernel counts while any such descriptor is open, and stops when the last
/// one closes — also when the process dies — so nothing is left switched on
/// and the `kernel.bpf_stats_enabled` sysctl is never written. The
/// descriptor is close-on-exec, so helpers do not inherit it.
package final class RunTimeStats: Sendable {
    private let descriptor: CInt

    /// Switches the statistics on.
    ///
    /// Corresponds to `bpf_enable_stats(BPF_STATS_RUN_TIME)`.
    /// - Throws: `BPFError` when the kernel refuses (before 5.8, or
    ///   without `CAP_SYS_ADMIN`).
    package init() throws(BPFError) {
        let result = bpf_enable_stats(BPF_STATS_RUN_TIME)
        guard result >= 0 else {
            throw BPFError.syscall("enable BPF run-time statistics", call: "BPF_ENABLE_STATS", errno: Errno(rawValue: -result))
        }
        descriptor = result
    }

    deinit { _ = Glibc.close(descriptor) }
}
