import GRPCCore

/// Counts every gRPC call by method and final status code, with the time
/// the server took for it.
struct CallMetricsInterceptor: ServerInterceptor {
    let metrics: CallMetrics

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        func record(_ code: Status.Code) {
            metrics.record(method: context.descriptor.method, code: code, duration: start.duration(to: .now))
        }
        do {
            let response = try await next(request, context)
            switch response.accepted {
            case .success: record(.ok)
            case .failure(let error): record(Status.Code(error.code))
            }
            return response
        } catch {
            record((error as? any RPCErrorConvertible).map { Status.Code($0.rpcErrorCode) } ?? .unknown)
            throw error
        }
    }
}
