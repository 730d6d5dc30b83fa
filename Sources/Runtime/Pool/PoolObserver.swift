/// Receives what a ``PoolActor`` does, for metrics.
///
/// Every method is called synchronously on the pool's actor, so an implementation must be
/// cheap and must not block: record a number and return. All methods have no-op defaults.
public protocol PoolObserver: Sendable {
    /// The number of active or idle connections, waiters or timeouts changed.
    func statisticsChanged(_ statistics: PoolStatistics)
    /// A caller got a connection after waiting `waited` (zero when one was idle).
    func acquired(waited: Duration)
    /// A caller gave up waiting after the acquire timeout.
    func acquireTimedOut()
    /// A connect attempt failed; `attempt` counts consecutive failures, starting at 1.
    func connectFailed(error: any Error, attempt: Int)
}

extension PoolObserver {
    public func statisticsChanged(_ statistics: PoolStatistics) {}
    public func acquired(waited: Duration) {}
    public func acquireTimedOut() {}
    public func connectFailed(error: any Error, attempt: Int) {}
}
