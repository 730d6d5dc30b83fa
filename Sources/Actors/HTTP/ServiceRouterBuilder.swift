import Hummingbird
import Logging
import Runtime

/// Builds the service's router: probes and `/metrics` always; the webhook route and the
/// admin routes when there is an ingest to take webhooks.
///
/// Everything a route needs is handed in as a value, so the same router serves the
/// ``IngressActor``'s listener and in-process tests (`Application(router:).test(.router)`)
/// over a scripted ingest and store.
public struct ServiceRouterBuilder: Sendable {
    /// How the routes answer.
    public struct Configuration: Sendable {
        /// Largest accepted webhook body. Default 65,536 bytes.
        public var maximumBodyBytes: Int
        /// Longest a webhook waits for its commit before a 503, measured by the ingest on its
        /// own clock (the ``GroupCommitter``'s). Default 5 s.
        public var ingestTimeout: Duration
        /// Shared secret for signatures; nil accepts unsigned webhooks (logged as a warning
        /// each time a router is built).
        public var webhookSecret: String?
        /// Standard Webhooks timestamp tolerance. Default 300 s.
        public var signatureTolerance: Duration
        /// Bearer token for the admin routes; nil disables them (404).
        public var adminToken: String?
        /// Whether `POST /api/v1/admin/chaos/kill-worker` is served. Default false.
        public var chaosEnabled: Bool

        public init(
            maximumBodyBytes: Int = 65_536,
            ingestTimeout: Duration = .seconds(5),
            webhookSecret: String? = nil,
            signatureTolerance: Duration = .seconds(300),
            adminToken: String? = nil,
            chaosEnabled: Bool = false
        ) {
            self.maximumBodyBytes = maximumBodyBytes
            self.ingestTimeout = ingestTimeout
            self.webhookSecret = webhookSecret
            self.signatureTolerance = signatureTolerance
            self.adminToken = adminToken
            self.chaosEnabled = chaosEnabled
        }
    }

    public var configuration: Configuration
    /// Where webhooks go; nil serves only probes and `/metrics` (the `worker` command).
    public var ingest: (any WebhookIngest)?
    /// Read and changed by the admin routes; the probes name only its backend.
    public var store: any DepositStore
    public var health: ServiceHealth
    /// The run of the ingress this router serves (its readiness and liveness).
    public var incarnation: IngressIncarnation
    public var metrics: ServiceMetrics
    /// Renders `/metrics`.
    public var metricsActor: MetricsActor
    public var hooks: AdminHooks
    /// Reads the time for Standard Webhooks timestamps.
    public var clock: WallClock
    /// Logs what is not a request's (the disabled-signature warning, refused admin requests).
    public var logger: Logger

    public init(
        configuration: Configuration,
        ingest: (any WebhookIngest)?,
        store: any DepositStore,
        health: ServiceHealth,
        incarnation: IngressIncarnation,
        metrics: ServiceMetrics,
        metricsActor: MetricsActor,
        hooks: AdminHooks,
        clock: WallClock = .system,
        logger: Logger
    ) {
        self.configuration = configuration
        self.ingest = ingest
        self.store = store
        self.health = health
        self.incarnation = incarnation
        self.metrics = metrics
        self.metricsActor = metricsActor
        self.hooks = hooks
        self.clock = clock
        self.logger = logger
    }

    /// The router with every route and middleware.
    ///
    /// - Throws: When the webhook secret cannot key a ``SignatureVerifier``.
    public func makeRouter() throws -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(metrics: self.metrics))
        router.add(middleware: MethodNotAllowedMiddleware.service(webhooks: self.ingest != nil, admin: self.configuration.adminToken != nil))
        HealthRoutes(
            backend: self.store.backend, health: self.health, incarnation: self.incarnation, metrics: self.metricsActor,
            probesOnly: self.ingest == nil
        ).register(on: router)
        guard let ingest = self.ingest else { return router }
        let webhook = WebhookHandler(configuration: try self.webhookConfiguration(), ingest: ingest, metrics: self.metrics, clock: self.clock)
        router.post("/api/v1/webhooks/bep20") { request, context in
            try await webhook.handle(request, context: context)
        }
        AdminRoutes(
            token: self.configuration.adminToken, chaosEnabled: self.configuration.chaosEnabled, store: self.store, hooks: self.hooks,
            logger: self.logger
        ).register(on: router)
        return router
    }

    private func webhookConfiguration() throws -> WebhookHandler.Configuration {
        let verifier: SignatureVerifier?
        if let secret = self.configuration.webhookSecret {
            verifier = try SignatureVerifier(secret: secret, configuration: .init(tolerance: self.configuration.signatureTolerance))
        } else {
            verifier = nil
            self.logger.warning("webhook_signatures_disabled", metadata: ["hint": "set WEBHOOK_SECRET to require signed webhooks"])
        }
        return WebhookHandler.Configuration(
            maximumBodyBytes: self.configuration.maximumBodyBytes,
            ingestTimeout: self.configuration.ingestTimeout,
            verifier: verifier
        )
    }
}
