import Diagnostics
import LinuxSys
import Synchronization
import SystemPackage

/// Kernel capabilities bpfman depends on that kernels may lack.
package enum KernelFeature: String, CaseIterable, Sendable {
    /// kprobe/kretprobe perf events (`CONFIG_KPROBES`, `CONFIG_KPROBE_EVENTS`).
    case kprobe
    /// fentry/fexit programs through BPF trampolines (`BPF_PROG_TYPE_TRACING`).
    case fentry
    /// BPF LSM programs (`BPF_PROG_TYPE_LSM`, `CONFIG_BPF_LSM` and `lsm=bpf`).
    case lsm
    /// freplace extension programs (`BPF_PROG_TYPE_EXT`), which bpfman's XDP
    /// and TC dispatchers are built from.
    case freplace
    /// tcx links (`BPF_TCX_INGRESS`/`BPF_TCX_EGRESS`, Linux 6.6).
    case tcxLink
    /// uprobe perf events through the `uprobe` PMU.
    case uprobe

    /// The feature's name in messages.
    package var name: String {
        switch self {
        case .kprobe: "kprobe"
        case .fentry: "fentry/fexit (BPF trampoline)"
        case .lsm: "BPF LSM"
        case .freplace: "freplace (BPF_PROG_TYPE_EXT)"
        case .tcxLink: "tcx link"
        case .uprobe: "uprobe"
        }
    }

    /// What the kernel needs, for messages.
    package var requirement: String {
        switch self {
        case .kprobe: "needs CONFIG_KPROBES and CONFIG_KPROBE_EVENTS"
        case .fentry: "needs CONFIG_DEBUG_INFO_BTF and a JIT with BPF trampoline support, Linux 5.5+"
        case .lsm: "needs CONFIG_BPF_LSM with bpf in the lsm= list, Linux 5.7+"
        case .freplace: "needs BPF_PROG_TYPE_EXT support, Linux 5.6+"
        case .tcxLink: "needs Linux 6.6+"
        case .uprobe: "needs CONFIG_UPROBE_EVENTS"
        }
    }
}

/// The result of probing one feature.
package enum FeatureAvailability: Sendable, Equatable {
    /// The kernel has the feature.
    case available
    /// The kernel lacks it, with the evidence.
    case missing(String)
}

/// Probes kernel features once per process and caches conclusive answers.
package final class KernelFeatures: Sendable {
    /// The process-wide cache.
    package static let shared = KernelFeatures()

    private let cache = Mutex<[KernelFeature: FeatureAvailability]>([:])

    /// Probes `feature`, or returns the cached answer.
    ///
    /// - Throws: `BPFError` when the probe is inconclusive (not cached).
    package func availability(of feature: KernelFeature) throws(BPFError) -> FeatureAvailability {
        if let known = cache.withLock({ $0[feature] }) { return known }
        let answer = try FeatureProbes.probe(feature)
        cache.withLock { $0[feature] = answer }
        return answer
    }

    /// Throws `.unsupported` naming `feature` when the kernel lacks it.
    package func require(_ feature: KernelFeature) throws(BPFError) {
        if case .missing(let reason) = try availability(of: feature) {
            throw BPFError.unsupported(feature, detail: reason)
        }
    }
}
