/// A snapshot of a ``PoolActor``'s connections and waiters.
public struct PoolStatistics: Sendable, Equatable {
    /// Connections leased right now.
    public var active: Int
    /// Connections open and not leased (including those being checked before reuse).
    public var idle: Int
    /// Connect attempts in flight.
    public var opening: Int
    /// The most connections the pool opens at once: `poolSize + maxOverflow`.
    public var max: Int
    /// Callers waiting for a connection.
    public var waiters: Int
    /// Acquire timeouts since the pool was created.
    public var timeouts: Int

    public init(active: Int = 0, idle: Int = 0, opening: Int = 0, max: Int = 0, waiters: Int = 0, timeouts: Int = 0) {
        self.active = active
        self.idle = idle
        self.opening = opening
        self.max = max
        self.waiters = waiters
        self.timeouts = timeouts
    }
}
