import Foundation
import Hummingbird
import Logging
import NIOCore
import Runtime
import ServiceLifecycle

/// Owns the HTTP listener: builds the routes, starts listening, drains on shutdown.
///
/// Requests never pass through this actor: Hummingbird runs each connection in its own
/// task and the handlers share only `Sendable` values. The actor holds the listener's
/// lifecycle (the bound port, who waits for it) and the group committer's lifetime, which
/// outlasts the drain so in-flight webhooks still get their answer.
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
            probesOnly: Bool = false
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
        }
    }

    private let configuration: Configuration
    private let store: any DepositStore
    private let committer: GroupCommitter
    private let metrics: ServiceMetrics
    private let metricsActor: MetricsActor
    private let health: ServiceHealth
    private let hooks: AdminHooks
    private let clock: WallClock
    private let logger: Logger

    private var boundPort: Int?
    private var portWaiters: [CheckedContinuation<Int, Never>] = []

    public init(
        configuration: Configuration,
        store: any DepositStore,
        committer: GroupCommitter,
        metrics: ServiceMetrics,
        metricsActor: MetricsActor,
        health: ServiceHealth,
        hooks: AdminHooks,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.committer = committer
        self.metrics = metrics
        self.metricsActor = metricsActor
        self.health = health
        self.hooks = hooks
        self.clock = clock
        self.logger = logger
    }

    /// The port the listener is bound to, once it listens.
    public func port() async -> Int {
        if let boundPort { return boundPort }
        return await withCheckedContinuation { self.portWaiters.append($0) }
    }

    private func listening(on port: Int) {
        self.boundPort = port
        let waiters = self.portWaiters
        self.portWaiters.removeAll()
        for waiter in waiters { waiter.resume(returning: port) }
        self.logger.info("ingress_listening", metadata: ["host": "\(self.configuration.host)", "port": "\(port)"])
    }

    /// Runs the listener until the supervisor asks it to stop, then drains: readiness turns
    /// 503, the listener stops accepting, in-flight requests finish, and only then does
    /// the group committer stop.
    public func run(context: ChildContext) async throws {
        self.boundPort = nil
        let application = try self.makeApplication()
        let server = ServiceGroup(configuration: .init(services: [application], logger: self.logger))
        do {
            try await self.store.ping()
            self.health.storeChecked(reachable: true)
        } catch {
            self.health.storeChecked(reachable: false)
            self.logger.warning("store_unreachable_at_start", metadata: ["error": "\(error)"])
        }
        let committer = self.committer
        let health = self.health
        try await withThrowingTaskGroup(of: Void.self) { outer in
            outer.addTask { await committer.run() }
            defer { outer.cancelAll() }
            try await withThrowingTaskGroup(of: Bool.self) { listener in
                listener.addTask {
                    try await server.run()
                    return true
                }
                listener.addTask {
                    await context.shutdownRequested()
                    health.beginDraining()
                    await server.triggerGracefulShutdown()
                    return false
                }
                while let serverEnded = try await listener.next() {
                    if serverEnded { listener.cancelAll() }
                }
            }
        }
        self.logger.info("ingress_stopped")
    }

    private func makeApplication() throws -> some ApplicationProtocol {
        let verifier: SignatureVerifier?
        if let secret = self.configuration.webhookSecret {
            verifier = try SignatureVerifier(secret: secret, configuration: .init(tolerance: self.configuration.signatureTolerance))
        } else {
            verifier = nil
            self.logger.warning("webhook_signatures_disabled", metadata: ["hint": "set WEBHOOK_SECRET to require signed webhooks"])
        }
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(metrics: self.metrics))
        let webhook = WebhookHandler(
            configuration: .init(
                maximumBodyBytes: self.configuration.maximumBodyBytes,
                ingestTimeout: self.configuration.ingestTimeout,
                verifier: verifier,
                timeoutClock: self.configuration.timeoutClock
            ),
            committer: self.committer,
            metrics: self.metrics,
            clock: self.clock
        )
        HealthRoutes(store: self.store, health: self.health, metrics: self.metricsActor).register(on: router)
        if !self.configuration.probesOnly {
            router.post("/api/v1/webhooks/bep20") { request, context in
                try await webhook.handle(request, context: context)
            }
            AdminRoutes(
                token: self.configuration.adminToken, chaosEnabled: self.configuration.chaosEnabled, store: self.store, hooks: self.hooks,
                logger: self.logger
            ).register(on: router)
        }

        let idle = self.configuration.idleTimeout
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(idle.nanoseconds))),
            configuration: .init(address: .hostname(self.configuration.host, port: self.configuration.port)),
            onServerRunning: { channel in
                await self.listening(on: channel.localAddress?.port ?? 0)
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
