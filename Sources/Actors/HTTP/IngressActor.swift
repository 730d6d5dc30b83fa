import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Runtime
import ServiceLifecycle

/// Owns the HTTP listener: builds the routes, starts listening, drains on shutdown.
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
    public struct Configuration: Sendable {
        /// Address to bind. Default `0.0.0.0`.
        public var host: String
        /// Port to bind; 0 picks a free one. Default 8000.
        public var port: Int
        /// Largest accepted webhook body. Default 65,536 bytes.
        public var maximumBodyBytes: Int
        /// Longest a webhook waits for its commit before a 503. Default 5 s.
        public var ingestTimeout: Duration
        /// Shared secret for signatures; nil accepts unsigned webhooks (with a warning at start;
        /// the configuration then binds loopback only unless unsigned webhooks are allowed).
        public var webhookSecret: String?
        /// Standard Webhooks timestamp tolerance. Default 300 s.
        public var signatureTolerance: Duration
        /// Bearer token for the admin routes; nil disables them (404).
        public var adminToken: String?
        /// Whether `POST /api/v1/admin/chaos/kill-worker` is served. Default false.
        public var chaosEnabled: Bool
        /// Idle keep-alive connections are closed after this. Default 60 s.
        public var idleTimeout: Duration
        /// Clock for the ingest timeout (tests inject one).
        public var timeoutClock: any Clock<Duration>
        /// Serve only probes and `/metrics` (the `worker` command). Default false.
        public var probesOnly: Bool
        /// Webhooks waiting for their group commit at most (`INGEST_QUEUE_LIMIT`); beyond it
        /// a webhook is answered 503 with `Retry-After` at once. Default 4,096.
        public var ingestQueueLimit: Int
        /// Time a client has to send a whole request, from its first byte
        /// (`REQUEST_READ_TIMEOUT_SECONDS`); the connection is closed after it. Default 30 s.
        public var requestReadTimeout: Duration
        /// Connections open at once at most (`MAX_CONNECTIONS`); beyond it new connections
        /// wait in the listen backlog until one closes. Default 2,048.
        public var maximumConnections: Int
        /// Attempts to bind before a run fails to its supervisor. Default 20.
        public var bindAttempts: Int
        /// Delay between bind attempts. Default 50 ms doubling to 2 s (about 30 s in all).
        public var bindBackoff: Backoff

        public init(
            host: String = "0.0.0.0",
            port: Int = 8000,
            maximumBodyBytes: Int = 65_536,
            ingestTimeout: Duration = .seconds(5),
            webhookSecret: String? = nil,
            signatureTolerance: Duration = .seconds(300),
            adminToken: String? = nil,
            chaosEnabled: Bool = false,
            idleTimeout: Duration = .seconds(60),
            timeoutClock: any Clock<Duration> = ContinuousClock(),
            probesOnly: Bool = false,
            ingestQueueLimit: Int = 4096,
            requestReadTimeout: Duration = .seconds(30),
            maximumConnections: Int = 2048,
            bindAttempts: Int = 20,
            bindBackoff: Backoff = Backoff(minimum: .milliseconds(50), maximum: .seconds(2))
        ) {
            self.probesOnly = probesOnly
            self.host = host
            self.port = port
            self.maximumBodyBytes = maximumBodyBytes
            self.ingestTimeout = ingestTimeout
            self.webhookSecret = webhookSecret
            self.signatureTolerance = signatureTolerance
            self.adminToken = adminToken
            self.chaosEnabled = chaosEnabled
            self.idleTimeout = idleTimeout
            self.timeoutClock = timeoutClock
            self.ingestQueueLimit = ingestQueueLimit
            self.requestReadTimeout = requestReadTimeout
            self.maximumConnections = maximumConnections
            self.bindAttempts = bindAttempts
            self.bindBackoff = bindBackoff
        }
    }

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
            : GroupCommitter(store: self.store, configuration: self.committerConfiguration, observer: self.committerObserver, logger: self.logger)
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
        let verifier: SignatureVerifier?
        if let secret = self.configuration.webhookSecret {
            verifier = try SignatureVerifier(secret: secret, configuration: .init(tolerance: self.configuration.signatureTolerance))
        } else {
            verifier = nil
            self.logger.warning("webhook_signatures_disabled", metadata: ["hint": "set WEBHOOK_SECRET to require signed webhooks"])
        }
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(metrics: self.metrics))
        HealthRoutes(
            backend: self.store.backend, health: self.health, incarnation: incarnation, metrics: self.metricsActor, probesOnly: self.configuration.probesOnly
        ).register(on: router)
        if let committer = incarnation.committer {
            let webhook = WebhookHandler(
                configuration: .init(
                    maximumBodyBytes: self.configuration.maximumBodyBytes,
                    ingestTimeout: self.configuration.ingestTimeout,
                    verifier: verifier,
                    timeoutClock: self.configuration.timeoutClock
                ),
                committer: committer,
                metrics: self.metrics,
                clock: self.clock
            )
            router.post("/api/v1/webhooks/bep20") { request, context in
                try await webhook.handle(request, context: context)
            }
            AdminRoutes(
                token: self.configuration.adminToken, chaosEnabled: self.configuration.chaosEnabled, store: self.store, hooks: self.hooks,
                logger: self.logger
            ).register(on: router)
        }

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

/// The request context of the service's routes: Hummingbird's core context plus the
/// client's address, which the admin routes log on a failed authentication.
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer; nil when the channel has none (in-process tests).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
