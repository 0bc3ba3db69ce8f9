import Manager
import Synchronization

/// What a daemon (`bpfman serve`, the agent) measures of its manager's
/// work: the time attaches and detaches take by link type, the waits for
/// the writer lock and crash repair's actions.
package final class ManagerMetrics: ManagerObserver {
    private struct State {
        var attaches: [String: Histogram] = [:]
        var detaches: [String: Histogram] = [:]
        var lockWaits: [String: Histogram] = [:]
        var repairs: [RepairKey: UInt64] = [:]
    }

    private struct RepairKey: Hashable {
        var action: String
        var result: String
    }

    private let state = Mutex(State())

    /// Starts with nothing measured.
    package init() {}

    /// Records a successful attach of a link of `type`, the manager's work only.
    package func recordAttach(type: String, duration: Duration) {
        state.withLock { $0.attaches[type, default: Histogram()].observe(duration) }
    }

    /// Records a successful detach of a link of `type`, the manager's work only.
    package func recordDetach(type: String, duration: Duration) {
        state.withLock { $0.detaches[type, default: Histogram()].observe(duration) }
    }

    /// Records a wait for the writer lock.
    package func writerLockWaited(_ wait: Duration, outcome: WriterLockOutcome) {
        state.withLock { $0.lockWaits[outcome.rawValue, default: Histogram()].observe(wait) }
    }

    /// Counts a repair action.
    package func repairActionTaken(_ action: String, succeeded: Bool) {
        state.withLock { $0.repairs[RepairKey(action: action, result: succeeded ? "done" : "failed"), default: 0] += 1 }
    }

    /// Appends the families, series sorted by their labels.
    package func write(to text: inout PrometheusText) {
        let current = state.withLock { $0 }
        text.family("bpfman_attach_duration_seconds", "histogram", help: "Time the manager took to make a link, by link type.")
        for (type, histogram) in current.attaches.sorted(by: { $0.key < $1.key }) {
            histogram.write("bpfman_attach_duration_seconds", [("type", type)], to: &text)
        }
        text.family("bpfman_detach_duration_seconds", "histogram", help: "Time the manager took to remove a link, by link type.")
        for (type, histogram) in current.detaches.sorted(by: { $0.key < $1.key }) {
            histogram.write("bpfman_detach_duration_seconds", [("type", type)], to: &text)
        }
        text.family("bpfman_writer_lock_wait_seconds", "histogram",
                    help: "Time this daemon's writes waited for the writer lock, by outcome (acquired, timed_out, cancelled, failed).")
        for (outcome, histogram) in current.lockWaits.sorted(by: { $0.key < $1.key }) {
            histogram.write("bpfman_writer_lock_wait_seconds", [("outcome", outcome)], to: &text)
        }
        text.family("bpfman_repair_actions_total", "counter",
                    help: "Crash-repair actions this daemon took under the writer lock, by action and result (done, failed).")
        for (key, count) in current.repairs.sorted(by: { ($0.key.action, $0.key.result) < ($1.key.action, $1.key.result) }) {
            text.sample("bpfman_repair_actions_total", [("action", key.action), ("result", key.result)], String(count))
        }
    }
}

/// Durations counted into fixed buckets, Prometheus-style.
package struct Histogram: Sendable {
    /// Upper bounds in seconds, from half a millisecond to half a minute
    /// (the writer lock's default timeout).
    package static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    private static let boundTexts = bounds.map { "\($0)" }

    /// Observations per bucket, not cumulative; the last counts those above every bound.
    private var buckets = [UInt64](repeating: 0, count: bounds.count + 1)
    private var sum = 0.0
    private var count: UInt64 = 0

    /// No observations yet.
    package init() {}

    /// Counts one observation.
    package mutating func observe(_ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        buckets[Self.bounds.firstIndex { seconds <= $0 } ?? Self.bounds.count] += 1
        sum += seconds
        count += 1
    }

    /// The `_bucket`, `_sum` and `_count` samples of series `labels`.
    package func write(_ name: String, _ labels: [(String, String)], to text: inout PrometheusText) {
        var cumulative: UInt64 = 0
        for (index, bound) in Self.boundTexts.enumerated() {
            cumulative += buckets[index]
            text.sample(name + "_bucket", labels + [("le", bound)], String(cumulative))
        }
        text.sample(name + "_bucket", labels + [("le", "+Inf")], String(count))
        text.sample(name + "_sum", labels, "\(sum)")
        text.sample(name + "_count", labels, String(count))
    }
}
