import Dispatch
import Execution
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Manager
import Metrics

/// `bpfman serve`: the bpfman.v1 gRPC API on a unix socket.
package enum BpfmanServer {
    /// Where the socket goes unless told otherwise.
    package static let defaultSocketPath = "/run/bpfman-sock/bpfman.sock"

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and
    /// removes the socket.
    ///
    /// Uses the listening socket systemd passes (`LISTEN_FDS`/`LISTEN_PID`)
    /// when there is one; otherwise creates the directory, replaces a stale
    /// socket and binds `socketPath` with mode 0660.
    ///
    /// Keeps the kernel's per-program run statistics on while it serves
    /// (`Manager.withRunTimeStatistics`), and with `metricsAddress` serves
    /// Prometheus metrics there, calling `onMetricsReady` with the bound
    /// address.
    /// - Throws: when the socket or the metrics address cannot be bound or
    ///   the server fails.
    package static func run(manager: Manager, socketPath: String, metricsAddress: MetricsAddress? = nil,
                            onMetricsReady: @Sendable (String) -> Void = { _ in },
                            onReady: @Sendable @escaping (String) -> Void = { _ in }) throws {
        try Manager.withRunTimeStatistics {
            try serve(manager: manager, socketPath: socketPath, metricsAddress: metricsAddress, onMetricsReady: onMetricsReady, onReady: onReady)
        }
    }

    private static func serve(manager: Manager, socketPath: String, metricsAddress: MetricsAddress?,
                              onMetricsReady: @Sendable (String) -> Void, onReady: @Sendable @escaping (String) -> Void) throws {
        let metrics = ManagerMetrics()
        let calls = CallMetrics()
        manager.observe(with: metrics)
        let executor = DaemonExecutor()
        let endpoint = try metricsAddress.map { address in
            try MetricsEndpoint(address: address) { [manager, executor, metrics, calls] in
                try await executor.read { try scrape(manager.metricsInventory(), metrics, calls) }
            }
        }
        defer { endpoint?.close() }
        if let endpoint { onMetricsReady(endpoint.boundAddress) }
        let activated = systemdSocket()
        if activated == nil { try prepareSocketPath(socketPath) }
        let transport: HTTP2ServerTransport.Posix = if let fd = activated {
            .http2NIOPosix(listeningSocketDescriptor: Int(fd), transportSecurity: .plaintext)
        } else {
            .http2NIOPosix(address: .unixDomainSocket(path: socketPath), transportSecurity: .plaintext)
        }
        let server = GRPCServer(transport: transport, services: [BpfmanService(manager: manager, executor: executor, metrics: metrics)],
                                interceptors: [CallMetricsInterceptor(metrics: calls), CallDeadlineInterceptor()])
        let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { server.beginGracefulShutdown() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await server.serve() }
                    if try await server.listeningAddress != nil {
                        if activated == nil { chmod(socketPath, 0o660) }
                        onReady(socketPath)
                    }
                }
            } catch {
                outcome.set(error)
            }
            done.signal()
        }
        done.wait()
        if activated == nil { unlink(socketPath) }
        if let error = outcome.error { throw error }
    }

    /// One scrape's exposition: the kernel's objects, bpfman's links and the
    /// server's own measurements.
    private static func scrape(_ inventory: MetricsInventory, _ metrics: ManagerMetrics, _ calls: CallMetrics) -> String {
        var text = PrometheusText()
        InventoryMetrics.write(inventory, to: &text)
        calls.write(to: &text)
        metrics.write(to: &text)
        return text.output
    }

    /// The fd systemd passed, if this process was socket-activated: made
    /// close-on-exec, so helpers this process spawns do not inherit the
    /// listening socket, and its variables unset, as `sd_listen_fds` does.
    private static func systemdSocket() -> CInt? {
        let environment = ProcessInfo.processInfo.environment
        guard environment["LISTEN_FDS"] == "1", environment["LISTEN_PID"] == String(getpid()) else { return nil }
        let fd: CInt = 3
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        unsetenv("LISTEN_FDS"); unsetenv("LISTEN_PID"); unsetenv("LISTEN_FDNAMES")
        return fd
    }

    private static func prepareSocketPath(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw ManagerError(.failedPrecondition, "serve: \(path) exists and is not a socket")
            }
            unlink(path) // a stale socket from an earlier run
        }
    }
}

/// The error a serving task ended with.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    var error: (any Error)? { lock.withLock { stored } }
    func set(_ error: any Error) { lock.withLock { stored = error } }
}
