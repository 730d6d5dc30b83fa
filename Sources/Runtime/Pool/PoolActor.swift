import Logging
import ServiceLifecycle

/// Rations database connections of any kind, opened through a ``ConnectionFactory``.
///
/// At most `poolSize + maxOverflow` connections are open or opening at once; `poolSize` of
/// them are kept, overflow ones are closed once idle for `overflowIdleTimeout`. Connections
/// are opened on demand. Callers wait in FIFO order, each at most `acquireTimeout`. While
/// the database refuses connections, one connect attempt at a time is retried after
/// `reconnectBackoff`, and waiters keep waiting until their own timeout.
///
/// The decisions live in ``PoolStateMachine``; this actor performs them. ``run()`` owns
/// every connect attempt, liveness check, close and timer as a child task; their results
/// come back through an `AsyncStream` and are applied on the actor one at a time. Callers
/// touch the actor twice per lease: once to get a connection and once to return it.
///
/// ```swift
/// let pool = PoolActor(factory: factory, clock: ContinuousClock(), logger: logger)
/// // run `pool` in a ServiceGroup, then:
/// let rows = try await pool.withConnection { connection in try await connection.query(...) }
/// ```
public actor PoolActor<Factory: ConnectionFactory, C: Clock>: Service where C.Duration == Duration {
    typealias StateMachine = PoolStateMachine<C.Instant>

    /// A connection handed to a caller, with the id it is returned by.
    struct Lease: Sendable {
        var id: StateMachine.ConnectionID
        var connection: Factory.Connection
    }

    nonisolated let factory: Factory
    nonisolated let clock: C
    let logger: Logger
    let observer: any PoolObserver
    nonisolated let waiters = PoolWaiters<Lease>()
    nonisolated let events: AsyncStream<Event>
    nonisolated let eventSink: AsyncStream<Event>.Continuation

    var stateMachine: StateMachine
    /// Established connections by id, from connect until the close is started.
    var open: [StateMachine.ConnectionID: Factory.Connection] = [:]
    /// Connections to close that ``run()`` can no longer take (it was cancelled); the caller
    /// that returned them closes them.
    var orphans: [Factory.Connection] = []
    var lastStatistics: PoolStatistics
    var hasRun = false

    /// Creates a pool. Nothing is opened until a caller asks and ``run()`` runs.
    ///
    /// - Precondition: `poolSize >= 0`, `maxOverflow >= 0`, and their sum is at least 1.
    public init(
        factory: Factory,
        configuration: Configuration = .init(),
        clock: C,
        logger: Logger,
        observer: any PoolObserver = NoOpPoolObserver()
    ) {
        self.factory = factory
        self.clock = clock
        self.logger = logger
        self.observer = observer
        self.stateMachine = StateMachine(
            poolSize: configuration.poolSize,
            maxOverflow: configuration.maxOverflow,
            acquireTimeout: configuration.acquireTimeout,
            maxConnectionAge: configuration.maxConnectionAge,
            validateAfterIdle: configuration.validateAfterIdle,
            overflowIdleTimeout: configuration.overflowIdleTimeout,
            reconnectBackoff: configuration.reconnectBackoff
        )
        self.lastStatistics = self.stateMachine.statistics
        (self.events, self.eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Leases a connection for `body`. If `body` throws (or is cancelled), the connection is
    /// closed and never handed out again; otherwise it returns to the pool (or is closed when
    /// it is overflow, too old, or the pool is closing).
    ///
    /// `body` runs in the caller's context, never on the pool's actor: the method is
    /// `nonisolated(nonsending)`, so a caller on its own actor may touch that actor's state
    /// in `body`. The pool's actor is visited once to lease and once to return.
    ///
    /// - Throws: ``RuntimeError/poolAcquireTimeout`` after `acquireTimeout`,
    ///   ``RuntimeError/poolClosed`` when the pool is closed, `CancellationError` when the
    ///   waiting task is cancelled (its place in the queue is dropped), or what `body` throws.
    public nonisolated(nonsending) func withConnection<Result: Sendable>(
        _ body: (Factory.Connection) async throws -> Result
    ) async throws -> Result {
        let lease = try await self.acquire()
        let result: Result
        do {
            result = try await body(lease.connection)
        } catch {
            await self.giveBack(lease, failed: true)
            throw error
        }
        // A lease whose task was cancelled may have left an operation half done on the
        // connection (or had it closed under it): it is not handed out again.
        await self.giveBack(lease, failed: Task.isCancelled || !self.factory.isReusable(lease.connection))
        return result
    }

    /// Fails all waiters with ``RuntimeError/poolClosed``, closes idle connections, and closes
    /// leased ones as they return. ``run()`` returns once every connection is closed.
    public func close() {
        guard self.stateMachine.lifecycle == .running else { return }
        self.logger.info("pool.closing", metadata: ["pool.active": "\(self.stateMachine.statistics.active)"])
        self.apply(self.stateMachine.close())
    }

    /// A snapshot of connections, waiters and timeouts.
    public func statistics() -> PoolStatistics {
        self.stateMachine.statistics
    }

    // MARK: Lease and return

    private nonisolated(nonsending) func acquire() async throws -> Lease {
        let request = self.waiters.makeID()
        do {
            return try await withTaskCancellationHandler {
                try await self.enqueue(request)
            } onCancel: {
                self.waiters.cancel(request)
            }
        } catch let error as CancellationError {
            await self.dropRequest(request)
            throw error
        }
    }

    private nonisolated(nonsending) func giveBack(_ lease: Lease, failed: Bool) async {
        let orphans = await self.release(lease.id, failed: failed)
        for connection in orphans {
            await self.factory.close(connection)
        }
    }

    private func enqueue(_ request: Int) async throws -> Lease {
        try await withCheckedThrowingContinuation { continuation in
            guard self.waiters.register(request, continuation) else {
                continuation.resume(throwing: CancellationError())
                return
            }
            self.apply(self.stateMachine.leaseRequested(request, now: self.clock.now))
        }
    }

    private func dropRequest(_ request: Int) {
        self.apply(self.stateMachine.leaseCancelled(request))
    }

    private func release(_ connection: StateMachine.ConnectionID, failed: Bool) -> [Factory.Connection] {
        self.apply(self.stateMachine.connectionReleased(connection, failed: failed, now: self.clock.now))
        defer { self.orphans.removeAll() }
        return self.orphans
    }
}
