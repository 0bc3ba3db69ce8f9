extension Logger {
    /// Runs `body`, a step whose failure the caller does not propagate — a
    /// rollback after an earlier failure, a best-effort cleanup — and logs
    /// a failure at warn (`what` failed, with the error) instead of dropping
    /// it.
    ///
    /// - Returns: whether `body` succeeded.
    @discardableResult
    package func attempt(_ what: @autoclosure () -> String, metadata: @autoclosure () -> Logger.Metadata = [:],
                         _ body: () throws -> Void) -> Bool {
        do {
            try body()
            return true
        } catch {
            var details = metadata()
            details[LogKey.error] = .string(String(describing: error))
            warning("\(what()) failed", metadata: details)
            return false
        }
    }
}
