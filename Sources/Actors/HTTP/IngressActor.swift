import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Runtime
import ServiceLifecycle

/// Owns the HTTP listener: binds it, serves the routes ``ServiceRouterBuilder`` builds, drains on shutdown.
///
/// Requests never pass through this actor: Hummingbird runs each connection in its own
/// task and the handlers share only `Sendable` values. The actor holds the listener's
/// lifecycle (the bound port, who waits for it). Each ``run(context:)`` is one incarnation
/// of the ingress: it creates its own ``IngressIncarnation`` (readiness, draining) and its
/// own ``GroupCommitter``, whose lifetime outlasts the drain so in-flight webhooks still get
/// their answer. A run that the supervisor restarts therefore starts from fresh state.
///
/// A bind that fails (the port still held by a previous process) is retried with
/// ``Configuration/bindBackoff`` up to ``Configuration/bindAttempts`` times before the run
/// fails to its supervisor.
public actor IngressActor {
    private let configuration: Configuration
    private let store: any DepositStore
    private let committerConfiguration: GroupCommitter.Configuration
    private let committerObserver: (any GroupCommitter.Observer)?
    private let metrics: ServiceMetrics
    private let metricsActor: MetricsActor
    private let health: ServiceHealth
    private let hooks: AdminHooks
    private let clock: WallClock
    private let logger: Logger

    private var boundPort: Int?
    private var portWaiters: [CheckedContinuation<Int, Never>] = []

    /// - Parameters:
    ///   - committer: The configuration of the group committer each run creates
    ///     (``Configuration/ingestQueueLimit`` overrides its `maximumPending`).
    public init(
        configuration: Configuration,
        store: any DepositStore,
        committer: GroupCommitter.Configuration,
        committerObserver: (any GroupCommitter.Observer)? = nil,
        metrics: ServiceMetrics,
        metricsActor: MetricsActor,
        health: ServiceHealth,
        hooks: AdminHooks,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        var committer = committer
        committer.maximumPending = configuration.ingestQueueLimit
        self.committerConfiguration = committer
        self.committerObserver = committerObserver
        self.metrics = metrics
        self.metricsActor = metricsActor
        self.health = health
        self.hooks = hooks
        self.clock = clock
        self.logger = logger
    }

    /// The port the listener is bound to, once it listens. After a restart, the port of
    /// the new run once it listens.
    public func port() async -> Int {
        if let boundPort { return boundPort }
        return await withCheckedContinuation { self.portWaiters.append($0) }
    }

    private func listening(on port: Int, incarnation: IngressIncarnation) {
        incarnation.listenerBound()
        self.boundPort = port
        let waiters = self.portWaiters
        self.portWaiters.removeAll()
        for waiter in waiters { waiter.resume(returning: port) }
        self.logger.info("ingress_listening", metadata: ["host": "\(self.configuration.host)", "port": "\(port)"])
    }

    /// Runs the listener until the supervisor asks it to stop, then drains: readiness turns
    /// 503, the listener stops accepting, in-flight requests finish, and only then does
    /// this run's group committer stop.
    public func run(context: ChildContext) async throws {
        self.boundPort = nil
        let committer = self.configuration.probesOnly
            ? nil
            : GroupCommitter(
                store: self.store, configuration: self.committerConfiguration, observer: self.committerObserver,
                clock: self.configuration.timeoutClock, logger: self.logger
            )
        let incarnation = IngressIncarnation(committer: committer)
        self.health.ingressStarted(incarnation)
        defer {
            // The next run binds afresh: `port()` waits for it rather than naming this run's port.
            self.boundPort = nil
            self.health.ingressEnded(incarnation)
        }
        do {
            try await self.store.ping()
            self.health.storeChecked(reachable: true)
        } catch {
            self.health.storeChecked(reachable: false)
            self.logger.warning("store_unreachable_at_start", metadata: ["error": "\(error)"])
        }
        try await withThrowingTaskGroup(of: Void.self) { outer in
            if let committer { outer.addTask { await committer.run() } }
            defer { outer.cancelAll() }
            try await self.serve(incarnation, context: context)
        }
        self.logger.info("ingress_stopped")
    }

    /// Binds (retrying a failed bind with backoff) and serves until asked to stop.
    private func serve(_ incarnation: IngressIncarnation, context: ChildContext) async throws {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            let server = ServiceGroup(configuration: .init(services: [try self.makeApplication(incarnation)], logger: self.logger))
            do {
                try await Self.runListener(server, incarnation: incarnation, context: context)
                return
            } catch {
                // Re-check after the await: a bound listener that failed, or a stop request, ends the run.
                guard !incarnation.isListening, !context.isShutdownRequested, !Task.isCancelled else { throw error }
                attempt += 1
                guard attempt < self.configuration.bindAttempts else {
                    self.logger.error("ingress_bind_gave_up", metadata: ["attempts": "\(attempt)", "error": "\(error)"])
                    throw error
                }
                let delay = self.configuration.bindBackoff.delay(attempt: attempt, using: &generator)
                self.logger.warning("ingress_bind_failed", metadata: [
                    "host": "\(self.configuration.host)", "port": "\(self.configuration.port)", "attempt": "\(attempt)",
                    "retry_in_ms": "\(delay.nanoseconds / 1_000_000)", "error": "\(error)",
                ])
                await Self.pause(delay, unless: context)
                guard !context.isShutdownRequested else { return }
                try Task.checkCancellation()
            }
        }
    }

    /// Runs `server` until it ends or the supervisor asks the child to stop; only a stop
    /// request (not a kill, not a failure) drains this run.
    private static func runListener(_ server: ServiceGroup, incarnation: IngressIncarnation, context: ChildContext) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { listener in
            listener.addTask {
                try await server.run()
                return true
            }
            listener.addTask {
                await context.shutdownRequested()
                if context.isShutdownRequested {
                    incarnation.beginDraining()
                    await server.triggerGracefulShutdown()
                }
                return false
            }
            while let serverEnded = try await listener.next() {
                if serverEnded { listener.cancelAll() }
            }
        }
    }

    /// Sleeps for `delay`, or less if the supervisor asks the child to stop.
    private static func pause(_ delay: Duration, unless context: ChildContext) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await context.shutdownRequested() }
            await group.next()
            group.cancelAll()
        }
    }

    private func makeApplication(_ incarnation: IngressIncarnation) throws -> some ApplicationProtocol {
        let router = try ServiceRouterBuilder(
            configuration: self.configuration.routes,
            ingest: incarnation.committer,
            store: self.store,
            health: self.health,
            incarnation: incarnation,
            metrics: self.metrics,
            metricsActor: self.metricsActor,
            hooks: self.hooks,
            clock: self.clock,
            logger: self.logger
        ).makeRouter()
        let idle = TimeAmount.nanoseconds(self.configuration.idleTimeout.nanoseconds)
        let readTimeout = TimeAmount.nanoseconds(self.configuration.requestReadTimeout.nanoseconds)
        let metrics = self.metrics
        let server = HTTPServerBuilder { responder in
            DeadlineHTTP1Channel(
                base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idle)),
                readTimeout: readTimeout,
                onTimeout: { metrics.recorder.increment(metrics.requestReadTimeouts) }
            )
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                availableConnectionsDelegate: MaximumAvailableConnections(self.configuration.maximumConnections, logger: self.logger)
            ),
            onServerRunning: { channel in
                await self.listening(on: channel.localAddress?.port ?? 0, incarnation: incarnation)
            },
            logger: self.logger
        )
    }
}
