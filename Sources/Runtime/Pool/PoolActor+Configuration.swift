extension PoolActor {
    /// How many connections a ``PoolActor`` keeps and how it treats them.
    public struct Configuration: Sendable {
        /// Connections kept open once opened (`DB_POOL_SIZE`). Default 20.
        public var poolSize: Int
        /// Extra connections opened under pressure (`DB_MAX_OVERFLOW`), closed once idle for
        /// `overflowIdleTimeout`. Default 30.
        public var maxOverflow: Int
        /// How long a caller waits for a connection before
        /// ``RuntimeError/poolAcquireTimeout`` (`DB_POOL_TIMEOUT`). Default 30 s.
        public var acquireTimeout: Duration
        /// Connections older than this are closed when returned instead of kept; `nil` keeps
        /// them forever. Default 1 hour.
        public var maxConnectionAge: Duration?
        /// A connection idle longer than this is validated before reuse. Default 30 s.
        public var validateAfterIdle: Duration
        /// While more than `poolSize` connections are open, one idle this long is closed.
        /// Default 10 s.
        public var overflowIdleTimeout: Duration
        /// The delay between connect attempts while the database is down.
        /// Default 100 ms doubling up to 5 s, with 20 % jitter.
        public var reconnectBackoff: Backoff

        public init(
            poolSize: Int = 20,
            maxOverflow: Int = 30,
            acquireTimeout: Duration = .seconds(30),
            maxConnectionAge: Duration? = .seconds(3600),
            validateAfterIdle: Duration = .seconds(30),
            overflowIdleTimeout: Duration = .seconds(10),
            reconnectBackoff: Backoff = Backoff(minimum: .milliseconds(100), maximum: .seconds(5))
        ) {
            self.poolSize = poolSize
            self.maxOverflow = maxOverflow
            self.acquireTimeout = acquireTimeout
            self.maxConnectionAge = maxConnectionAge
            self.validateAfterIdle = validateAfterIdle
            self.overflowIdleTimeout = overflowIdleTimeout
            self.reconnectBackoff = reconnectBackoff
        }
    }
}
