import Metrics
import Synchronization

/// What the agent measures of its reconcile loop: each pass over every
/// resource and its duration, and each resource's reconcile by result.
package final class ReconcileMetrics: Sendable {
    private struct State {
        var passes = Histogram()
        var results: [String: UInt64] = [:]
    }

    private let state = Mutex(State())

    /// Nothing measured yet.
    package init() {}

    /// Records one pass over every resource.
    func recordPass(_ duration: Duration) {
        state.withLock { $0.passes.observe(duration) }
    }

    /// Counts one resource's reconcile, `ok` or `error`.
    func recordReconcile(succeeded: Bool) {
        state.withLock { $0.results[succeeded ? "ok" : "error", default: 0] += 1 }
    }

    /// Appends the families.
    package func write(to text: inout PrometheusText) {
        let current = state.withLock { $0 }
        text.family("bpfman_agent_reconcile_pass_duration_seconds", "histogram",
                    help: "Passes of the agent's reconcile loop over every resource, and the time each took.")
        current.passes.write("bpfman_agent_reconcile_pass_duration_seconds", [], to: &text)
        text.family("bpfman_agent_reconciles_total", "counter", help: "Reconciles of one resource on this node, by result (ok, error).")
        for (result, count) in current.results.sorted(by: { $0.key < $1.key }) {
            text.sample("bpfman_agent_reconciles_total", [("result", result)], String(count))
        }
    }
}
