/// The decisions of a ``PoolActor``: which request gets which connection, when to open,
/// check, recycle or close a connection, when to retry a failed connect, and when a waiter
/// gives up.
///
/// No I/O and no clock: every event takes `now` and returns the ``Action``s the shell must
/// perform, in order. The state of each connection is a ``ConnectionState``; a request is
/// either waiting in the FIFO ``RequestQueue`` or, once answered (leased, failed, cancelled),
/// forgotten.
///
/// Invariants after every event:
/// - `connections.count <= poolSize + maxOverflow` (opening and closing ones included);
/// - a request waits only while no idle connection can serve it (idle connections being
///   validated are each set aside for one waiter);
/// - while the database is down, no connect starts except the single probe;
/// - while requests wait, an acquire-timeout timer is pending (one at most, for the oldest);
/// - while more than `poolSize` connections are kept and one is idle, an idle-overflow timer
///   is pending (one at most, for the connection idle longest).
struct PoolStateMachine<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    typealias ConnectionID = Int
    typealias RequestID = Int

    let poolSize: Int
    let maxOverflow: Int
    let acquireTimeout: Duration
    let maxConnectionAge: Duration?
    let validateAfterIdle: Duration
    let overflowIdleTimeout: Duration
    let reconnectBackoff: Backoff

    // Mutated only by the events here and the helpers in `PoolStateMachine+Serve.swift`.
    var connections: [ConnectionID: ConnectionRecord] = [:]
    /// Idle connections, the most recently returned last (handed out first, to keep it warm).
    var idle: [ConnectionID] = []
    var queue = RequestQueue()
    var connectivity: Connectivity = .up
    var lifecycle: Lifecycle = .running
    /// Whether an acquire-timeout timer is pending.
    var timeoutArmed = false
    /// Whether an idle-overflow timer is pending.
    var idleCheckArmed = false
    var nextConnectionID: ConnectionID = 0
    var timeouts = 0

    init(
        poolSize: Int,
        maxOverflow: Int,
        acquireTimeout: Duration,
        maxConnectionAge: Duration?,
        validateAfterIdle: Duration,
        overflowIdleTimeout: Duration = .seconds(10),
        reconnectBackoff: Backoff
    ) {
        precondition(poolSize >= 0 && maxOverflow >= 0 && poolSize + maxOverflow > 0, "a pool needs room for a connection")
        self.poolSize = poolSize
        self.maxOverflow = maxOverflow
        self.acquireTimeout = acquireTimeout
        self.maxConnectionAge = maxConnectionAge
        self.validateAfterIdle = validateAfterIdle
        self.overflowIdleTimeout = overflowIdleTimeout
        self.reconnectBackoff = reconnectBackoff
    }

    /// The most connections open or opening at once.
    var maximum: Int { self.poolSize + self.maxOverflow }

    /// Consecutive failed connect attempts; 0 while the database is up.
    var consecutiveFailures: Int {
        if case .down(let attempt, _) = self.connectivity { return attempt }
        return 0
    }

    var statistics: PoolStatistics {
        var statistics = PoolStatistics(max: self.maximum, waiters: self.queue.count, timeouts: self.timeouts)
        for record in self.connections.values {
            switch record.state {
            case .opening: statistics.opening += 1
            case .idle, .validating: statistics.idle += 1
            case .leased: statistics.active += 1
            case .closing: break
            }
        }
        return statistics
    }

    // MARK: Events

    /// A caller asks for a connection.
    mutating func leaseRequested(_ request: RequestID, now: Instant) -> [Action] {
        guard self.lifecycle == .running else {
            return [.fail(request, RuntimeError(.poolClosed, "the pool is closed"))]
        }
        self.queue.append(Waiter(id: request, enqueuedAt: now, deadline: now.advanced(by: self.acquireTimeout)))
        return self.serve(now: now)
    }

    /// A waiting caller was cancelled. Nothing to do if it was already answered.
    mutating func leaseCancelled(_ request: RequestID) -> [Action] {
        _ = self.queue.remove(request)
        return []
    }

    /// A connect attempt succeeded.
    mutating func connectionEstablished(_ connection: ConnectionID, now: Instant) -> [Action] {
        guard self.connections[connection]?.state == .opening else { return [] }
        self.connections[connection]?.openedAt = now
        self.connectivity = .up
        return self.makeAvailable(connection, now: now)
    }

    /// A connect attempt failed. No waiter fails because of it; a retry is scheduled unless
    /// one already is (attempts that started before the database went down change nothing).
    mutating func connectFailed(_ connection: ConnectionID, now: Instant) -> [Action] {
        guard self.connections[connection]?.state == .opening else { return [] }
        self.connections[connection] = nil
        guard self.lifecycle == .running else { return self.finishIfDrained() }

        let attempt: Int?
        switch self.connectivity {
        case .up: attempt = 1
        case .down(let failed, .inFlight(let probe)) where probe == connection: attempt = failed + 1
        case .down: attempt = nil
        }
        var actions: [Action] = []
        if let attempt {
            let delay = self.reconnectBackoff.delay(attempt: attempt)
            self.connectivity = .down(attempt: attempt, probe: .scheduled(until: now.advanced(by: delay)))
            actions.append(.scheduleReconnect(after: delay))
        }
        return actions + self.serve(now: now)
    }

    /// A caller gave a leased connection back; `failed` when its work threw, so the
    /// connection's state is unknown and it must not be reused.
    mutating func connectionReleased(_ connection: ConnectionID, failed: Bool, now: Instant) -> [Action] {
        guard self.connections[connection]?.state == .leased else { return [] }
        if failed {
            return [self.startClosing(connection)] + self.serve(now: now)
        }
        return self.makeAvailable(connection, now: now)
    }

    /// The liveness check of an idle connection finished.
    mutating func validationResult(_ connection: ConnectionID, passed: Bool, now: Instant) -> [Action] {
        guard self.connections[connection]?.state == .validating else { return [] }
        if !passed {
            return [self.startClosing(connection)] + self.serve(now: now)
        }
        return self.makeAvailable(connection, now: now)
    }

    /// A close finished; the connection no longer counts against the limit.
    mutating func connectionClosed(_ connection: ConnectionID, now: Instant) -> [Action] {
        guard self.connections[connection]?.state == .closing else { return [] }
        self.connections[connection] = nil
        return self.serve(now: now)
    }

    /// The acquire-timeout timer fired: fail every request whose deadline has passed.
    mutating func timeoutTimerFired(now: Instant) -> [Action] {
        self.timeoutArmed = false
        var actions: [Action] = []
        while let head = self.queue.first(), head.deadline <= now {
            _ = self.queue.popFirst()
            self.timeouts += 1
            actions.append(.fail(head.id, RuntimeError(.poolAcquireTimeout, "no connection became available within the acquire timeout")))
        }
        return actions + self.serve(now: now)
    }

    /// The idle-overflow timer fired: close what sat idle too long beyond `poolSize`.
    mutating func idleTimerFired(now: Instant) -> [Action] {
        self.idleCheckArmed = false
        return self.serve(now: now)
    }

    /// The reconnect backoff elapsed: the next waiter that needs a connection may probe.
    mutating func backoffTimerFired(now: Instant) -> [Action] {
        if case .down(let attempt, .scheduled(let until)) = self.connectivity, now >= until {
            self.connectivity = .down(attempt: attempt, probe: .due)
        }
        return self.serve(now: now)
    }

    /// Fails every waiter, closes idle connections; leased, opening and validating ones are
    /// closed as they come back. Ends with ``Action/shutdownDone`` once nothing is open.
    mutating func close() -> [Action] {
        guard self.lifecycle == .running else { return [] }
        self.lifecycle = .closing
        var actions = self.queue.removeAll().map { Action.fail($0.id, RuntimeError(.poolClosed, "the pool closed")) }
        for connection in self.idle {
            actions.append(self.startClosing(connection))
        }
        self.idle.removeAll()
        return actions + self.finishIfDrained()
    }
}
