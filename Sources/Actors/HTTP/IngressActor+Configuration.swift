import Foundation
import Runtime

extension IngressActor {
    /// How the listener binds and serves, and how its routes answer.
    public struct Configuration: Sendable {
        /// Address to bind. Default `0.0.0.0`.
        public var host: String
        /// Port to bind; 0 picks a free one. Default 8000.
        public var port: Int
        /// Largest accepted webhook body. Default 65,536 bytes.
        public var maximumBodyBytes: Int
        /// Longest a webhook waits for its commit before a 503. Default 5 s.
        public var ingestTimeout: Duration
        /// Shared secret for signatures; nil accepts unsigned webhooks (logged as a warning when
        /// each run builds its routes; ``ServiceConfiguration`` then binds loopback only unless
        /// `ALLOW_UNSIGNED_WEBHOOKS=true`).
        public var webhookSecret: String?
        /// Standard Webhooks timestamp tolerance. Default 300 s.
        public var signatureTolerance: Duration
        /// Bearer token for the admin routes; nil disables them (404).
        public var adminToken: String?
        /// Whether `POST /api/v1/admin/chaos/kill-worker` is served. Default false.
        public var chaosEnabled: Bool
        /// Idle keep-alive connections are closed after this. Default 60 s.
        public var idleTimeout: Duration
        /// Clock of this listener's group committer: it measures the ingest timeout (and the
        /// backoff of a batch that met a deadlock). Tests inject a mock one.
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

        /// What the routes of this listener are configured with.
        var routes: ServiceRouterBuilder.Configuration {
            ServiceRouterBuilder.Configuration(
                maximumBodyBytes: self.maximumBodyBytes,
                ingestTimeout: self.ingestTimeout,
                webhookSecret: self.webhookSecret,
                signatureTolerance: self.signatureTolerance,
                adminToken: self.adminToken,
                chaosEnabled: self.chaosEnabled
            )
        }
    }
}
