extension PoolStateMachine {
    /// What the shell must do after an event. Actions are performed in order.
    enum Action: Sendable, Equatable {
        /// Hand connection `connection` to request `request`, which waited `waited`.
        case lease(ConnectionID, to: RequestID, waited: Duration)
        /// Resume request `request` with `error`.
        case fail(RequestID, RuntimeError)
        /// Start a connect attempt; report it with `connectionEstablished` or `connectFailed`.
        case connect(ConnectionID)
        /// Run the factory's liveness check; report it with `validationResult`.
        case validate(ConnectionID)
        /// Close the connection; report it with `connectionClosed`.
        case close(ConnectionID)
        /// Start the acquire-timeout timer; report it with `timeoutTimerFired` at `deadline`.
        /// At most one is armed at a time, for the longest-waiting request.
        case scheduleTimeout(at: Instant)
        /// Start the reconnect timer; report it with `backoffTimerFired` after `delay`.
        case scheduleReconnect(after: Duration)
        /// Start the idle-overflow timer; report it with `idleTimerFired` at `deadline`.
        /// At most one is armed at a time, for the connection idle longest.
        case scheduleIdleCheck(at: Instant)
        /// Every connection is closed and every request answered: the pool is done.
        case shutdownDone
    }

    /// The state of one connection the pool owns (counted against the limit).
    ///
    /// Legal transitions:
    /// - `opening` → `idle` (established) · `closing` (established while the pool closes) ·
    ///   removed (connect failed)
    /// - `idle` → `leased` · `validating` (idle longer than `validateAfterIdle`) ·
    ///   `closing` (too old, idle for `overflowIdleTimeout` while more than `poolSize` are
    ///   kept, or the pool closes)
    /// - `validating` → `idle` (passed) · `closing` (failed, or the pool closes)
    /// - `leased` → `idle` (released healthy) · `closing` (released broken, too old, or the
    ///   pool closes)
    /// - `closing` → removed (closed)
    ///
    /// A connection that leaves `idle` for a waiter goes through `idle` again when handed
    /// over, so `idle` is the one place the hand-over decision is made.
    enum ConnectionState: Sendable, Equatable {
        case opening
        case idle(since: Instant)
        case validating
        case leased
        case closing
    }

    struct ConnectionRecord: Sendable, Equatable {
        var state: ConnectionState
        /// When the connect attempt succeeded; `nil` while opening.
        var openedAt: Instant?
    }

    /// Whether the database accepts connections.
    ///
    /// Legal transitions:
    /// - `up` → `down(attempt: 1, .scheduled)` (a connect failed)
    /// - `down(n, .scheduled(until: t))` → `down(n, .due)` (the backoff timer fired at or
    ///   after `t`; an earlier timer left over from a previous outage changes nothing)
    /// - `down(n, .due)` → `down(n, .inFlight)` (a waiter needs a connection: one probe)
    /// - `down(n, .inFlight)` → `down(n + 1, .scheduled)` (probe failed) · `up` (probe succeeded)
    /// - `down` → `up` (any connect succeeded)
    enum Connectivity: Sendable, Equatable {
        /// The last connect attempt succeeded (or none was made): open as many as needed.
        case up
        /// `attempt` consecutive connects failed: at most one probe at a time.
        case down(attempt: Int, probe: Probe)
    }

    /// The single connect attempt allowed while the database is down.
    enum Probe: Sendable, Equatable {
        /// Waiting for the backoff delay, which ends at the given instant.
        case scheduled(until: Instant)
        /// The delay elapsed; the next waiter that needs a connection starts the probe.
        case due
        /// The probe is in flight.
        case inFlight(ConnectionID)
    }

    /// The pool's own lifecycle.
    ///
    /// Legal transitions: `running` → `closing` (close) → `closed` (last connection closed);
    /// `running` → `closed` when nothing is open.
    enum Lifecycle: Sendable, Equatable {
        /// Serving requests.
        case running
        /// Refusing requests; closing connections as they come back.
        case closing
        /// Every connection is closed.
        case closed
    }
}
