import GRPCCore
import Metrics
import Synchronization

/// The gRPC calls `bpfman serve` answered, by method and status code, with
/// the time each took.
final class CallMetrics: Sendable {
    private struct CallKey: Hashable {
        var method: String
        var code: String
    }

    private let calls = Mutex<[CallKey: Histogram]>([:])

    /// Records a finished call.
    func record(method: String, code: Status.Code, duration: Duration) {
        let key = CallKey(method: method, code: Self.codeName(code))
        calls.withLock { $0[key, default: Histogram()].observe(duration) }
    }

    /// Appends the family, series sorted by their labels.
    func write(to text: inout PrometheusText) {
        let current = calls.withLock { $0 }
        text.family("bpfman_grpc_request_duration_seconds", "histogram",
                    help: "gRPC calls served, by method and status code, and the time each took.")
        for (key, histogram) in current.sorted(by: { ($0.key.method, $0.key.code) < ($1.key.method, $1.key.code) }) {
            histogram.write("bpfman_grpc_request_duration_seconds", [("method", key.method), ("code", key.code)], to: &text)
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
