import GRPCCore

/// The deadline a client gave its call (`grpc-timeout`), as the server
/// must honour it for changes: earlier by a margin, because the client's
/// clock started before the request reached the server, and the answer
/// still has to travel back.
///
/// A Load or Attach that finishes after its ``CallDeadline/current`` is
/// rolled back and answers DEADLINE_EXCEEDED, so a change the client can
/// no longer hear about does not stay. A change finishing just before it
/// whose answer is then lost on the way can still stay: no server can
/// close that window; the margin keeps it to the transport's own delays.
enum CallDeadline {
    /// The current call's deadline for changes; nil when the client set none.
    @TaskLocal static var current: ContinuousClock.Instant?

    /// The margin kept before the client's deadline: a tenth of the
    /// timeout, between 50 ms and one second.
    static func margin(for timeout: Duration) -> Duration {
        min(max(timeout / 10, .milliseconds(50)), .seconds(1))
    }

    /// Parses a `grpc-timeout` value: up to eight digits and a unit (`H`,
    /// `M`, `S`, `m`, `u`, `n`); nil for anything else.
    static func timeout(parsing text: String) -> Duration? {
        guard let unit = text.last, text.count >= 2, text.count <= 9 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ ("0"..."9").contains($0) }), let value = Int64(digits) else { return nil }
        switch unit {
        case "H": return .seconds(value * 3600)
        case "M": return .seconds(value * 60)
        case "S": return .seconds(value)
        case "m": return .milliseconds(value)
        case "u": return .microseconds(value)
        case "n": return .nanoseconds(value)
        default: return nil
        }
    }
}

/// Sets ``CallDeadline/current`` from the request's `grpc-timeout` for the
/// handler.
struct CallDeadlineInterceptor: ServerInterceptor {
    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let text = request.metadata[stringValues: "grpc-timeout"].first(where: { _ in true }),
              let timeout = CallDeadline.timeout(parsing: text) else {
            return try await next(request, context)
        }
        let deadline = ContinuousClock.now + timeout - CallDeadline.margin(for: timeout)
        return try await CallDeadline.$current.withValue(deadline) { try await next(request, context) }
    }
}
