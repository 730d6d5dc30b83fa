/// Polling an outside process or database that tells nothing when it changes (a child
/// process, a PostgreSQL server, an HTTP service): look, wait a little, look again, until a
/// deadline. In-process code is awaited through events instead.
public enum Poll {
    /// Runs `check` at once and then every `interval` until it returns true or `limit` has
    /// passed on the continuous clock; returns whether it did. Errors from `check` end the
    /// polling and are thrown.
    @discardableResult
    public static func until(
        every interval: Duration,
        within limit: Duration,
        _ check: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            if try await check() { return true }
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: interval)
        }
    }
}
