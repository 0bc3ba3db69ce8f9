import GRPCCore
import Synchronization

/// What `bpfman serve` measures about its own work: gRPC calls by method
/// and status code, and the time attaches and detaches take by link type.
package final class DaemonMetrics: Sendable {
    private struct State {
        var calls: [CallKey: Histogram] = [:]
        var attaches: [String: Histogram] = [:]
        var detaches: [String: Histogram] = [:]
    }

    private struct CallKey: Hashable {
        var method: String
        var code: String
    }

    private let state = Mutex(State())

    /// Starts with nothing measured.
    package init() {}

    /// Records a finished gRPC call.
    func recordCall(method: String, code: Status.Code, duration: Duration) {
        let key = CallKey(method: method, code: Self.codeName(code))
        state.withLock { $0.calls[key, default: Histogram()].observe(duration) }
    }

    /// Records a successful attach of a link of `type`, the manager's work only.
    func recordAttach(type: String, duration: Duration) {
        state.withLock { $0.attaches[type, default: Histogram()].observe(duration) }
    }

    /// Records a successful detach of a link of `type`, the manager's work only.
    func recordDetach(type: String, duration: Duration) {
        state.withLock { $0.detaches[type, default: Histogram()].observe(duration) }
    }

    /// Appends the families, series sorted by their labels.
    func write(to text: inout PrometheusText) {
        let current = state.withLock { $0 }
        text.family("bpfman_grpc_request_duration_seconds", "histogram",
                    help: "gRPC calls served, by method and status code, and the time each took.")
        for (key, histogram) in current.calls.sorted(by: { ($0.key.method, $0.key.code) < ($1.key.method, $1.key.code) }) {
            histogram.write("bpfman_grpc_request_duration_seconds", [("method", key.method), ("code", key.code)], to: &text)
        }
        text.family("bpfman_attach_duration_seconds", "histogram", help: "Time the manager took to make a link, by link type.")
        for (type, histogram) in current.attaches.sorted(by: { $0.key < $1.key }) {
            histogram.write("bpfman_attach_duration_seconds", [("type", type)], to: &text)
        }
        text.family("bpfman_detach_duration_seconds", "histogram", help: "Time the manager took to remove a link, by link type.")
        for (type, histogram) in current.detaches.sorted(by: { $0.key < $1.key }) {
            histogram.write("bpfman_detach_duration_seconds", [("type", type)], to: &text)
        }
    }

    /// gRPC's canonical name of `code` (`NOT_FOUND`), as grpc-go's metrics spell it.
    static func codeName(_ code: Status.Code) -> String {
        let names = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                     "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                     "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]
        return names.indices.contains(code.rawValue) ? names[code.rawValue] : String(code.rawValue)
    }
}

/// Durations counted into fixed buckets, Prometheus-style.
struct Histogram: Sendable {
    /// Upper bounds in seconds, from half a millisecond to half a minute
    /// (the writer lock's default timeout).
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    private static let boundTexts = bounds.map { "\($0)" }

    /// Observations per bucket, not cumulative; the last counts those above every bound.
    private var buckets = [UInt64](repeating: 0, count: bounds.count + 1)
    private var sum = 0.0
    private var count: UInt64 = 0

    mutating func observe(_ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        buckets[Self.bounds.firstIndex { seconds <= $0 } ?? Self.bounds.count] += 1
        sum += seconds
        count += 1
    }

    /// The `_bucket`, `_sum` and `_count` samples of series `labels`.
    func write(_ name: String, _ labels: [(String, String)], to text: inout PrometheusText) {
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
