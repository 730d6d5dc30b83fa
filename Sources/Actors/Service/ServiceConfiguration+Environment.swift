import Runtime

extension ServiceConfiguration {
    /// The variables the service reads, for documentation and validation.
    public static let variables = [
        "HOST", "PORT", "DATABASE_URL", "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "WORKER_CONCURRENCY",
        "CELERY_WORKER_CONCURRENCY", "CONFIRMATION_THRESHOLD", "WEBHOOK_SECRET", "ALLOW_UNSIGNED_WEBHOOKS",
        "WEBHOOK_TOLERANCE_SECONDS", "ADMIN_TOKEN", "MAX_BODY_BYTES", "INGEST_TIMEOUT_MS", "JOB_LEASE_SECONDS",
        "JOB_MAX_ATTEMPTS", "SUPERVISOR_MAX_RESTARTS", "SUPERVISOR_RESTART_WINDOW", "LOG_LEVEL", "LOG_FORMAT",
        "CHAOS_ENABLED", "SHUTDOWN_TIMEOUT_SECONDS", "DB_STATEMENT_TIMEOUT_MS", "DB_LOCK_TIMEOUT_MS",
        "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "DB_TCP_KEEPALIVE_SECONDS",
        "INGEST_QUEUE_LIMIT", "REQUEST_READ_TIMEOUT_SECONDS", "MAX_CONNECTIONS",
    ]

    /// Variables whose values never appear in an error: the webhook signing secret, the
    /// admin token and the database URL (which may carry a password).
    public static let secretVariables: Set<String> = ["WEBHOOK_SECRET", "ADMIN_TOKEN", "DATABASE_URL"]

    /// Where the listener binds when `HOST` is unset and webhooks may arrive unsigned.
    public static let loopbackHost = "127.0.0.1"

    /// Reads the configuration from environment variables (and flags that Main folded in
    /// under the same names). A bad value throws an error naming the variable.
    ///
    /// Without `WEBHOOK_SECRET`, a mode that serves webhooks listens on loopback only:
    /// `HOST` defaults to 127.0.0.1, and a non-loopback `HOST` is refused unless
    /// `ALLOW_UNSIGNED_WEBHOOKS=true`. The `worker` mode serves only probes and metrics and
    /// keeps `0.0.0.0`.
    public init(environment: EnvironmentReader, mode: Mode) throws {
        let database: DatabaseLocation
        do {
            database = try DatabaseLocation(url: try environment.string("DATABASE_URL"))
        } catch let error as ServiceError {
            throw RuntimeError(.invalidConfiguration, error.message)
        }
        let webhookSecret = try Self.credential("WEBHOOK_SECRET", in: environment)
        let adminToken = try Self.credential("ADMIN_TOKEN", in: environment)
        let allowUnsigned = try environment.bool("ALLOW_UNSIGNED_WEBHOOKS", default: false)
        let host = try Self.host(
            try environment.string("HOST"),
            signed: webhookSecret != nil || allowUnsigned || mode == .worker
        )

        let concurrencyName = try environment.first(of: "WORKER_CONCURRENCY", "CELERY_WORKER_CONCURRENCY")?.name ?? "WORKER_CONCURRENCY"
        let shutdown = try environment.seconds("SHUTDOWN_TIMEOUT_SECONDS", default: .seconds(30), range: .seconds(1) ... .seconds(600))
        self.init(
            mode: mode,
            database: database,
            poolSize: try environment.int("DB_POOL_SIZE", default: 20, range: 1...1000),
            poolMaxOverflow: try environment.int("DB_MAX_OVERFLOW", default: 30, range: 0...1000),
            poolTimeout: try environment.seconds("DB_POOL_TIMEOUT", default: .seconds(30), range: .milliseconds(1) ... .seconds(3600)),
            workerConcurrency: try environment.int(concurrencyName, default: 8, range: 1...1024),
            confirmationThreshold: Int64(try environment.int("CONFIRMATION_THRESHOLD", default: 12, range: 0...1_000_000)),
            ingress: IngressActor.Configuration(
                host: host,
                port: try environment.int("PORT", default: 8000, range: 0...65535),
                maximumBodyBytes: try environment.int("MAX_BODY_BYTES", default: 65_536, range: 256...(64 << 20)),
                ingestTimeout: try environment.milliseconds("INGEST_TIMEOUT_MS", default: .seconds(5), range: .milliseconds(1) ... .seconds(600)),
                webhookSecret: webhookSecret,
                signatureTolerance: try environment.seconds("WEBHOOK_TOLERANCE_SECONDS", default: .seconds(300), range: .seconds(1) ... .seconds(86_400)),
                adminToken: adminToken,
                chaosEnabled: try environment.bool("CHAOS_ENABLED", default: false),
                ingestQueueLimit: try environment.int("INGEST_QUEUE_LIMIT", default: 4096, range: 1...1_000_000),
                requestReadTimeout: try environment.seconds(
                    "REQUEST_READ_TIMEOUT_SECONDS", default: .seconds(30), range: .milliseconds(100) ... .seconds(3600)
                ),
                maximumConnections: try environment.int("MAX_CONNECTIONS", default: 2048, range: 1...1_000_000)
            ),
            worker: DepositWorker.Configuration(
                lease: try environment.seconds("JOB_LEASE_SECONDS", default: .seconds(15), range: .seconds(1) ... .seconds(3600)),
                maximumAttempts: try environment.int("JOB_MAX_ATTEMPTS", default: 5, range: 1...1000)
            ),
            supervisorMaxRestarts: try environment.int("SUPERVISOR_MAX_RESTARTS", default: 10, range: 0...10_000),
            supervisorRestartWindow: try environment.seconds("SUPERVISOR_RESTART_WINDOW", default: .seconds(60), range: .seconds(1) ... .seconds(86_400)),
            shutdownTimeout: shutdown
        )
        self.allowUnsignedWebhooks = allowUnsigned
        self.postgresSession = try Self.postgresSession(in: environment)
    }

    /// The PostgreSQL session bounds; 0 turns a timeout off (the server's default for keepalives).
    static func postgresSession(in environment: EnvironmentReader) throws -> PostgresSessionSettings {
        PostgresSessionSettings(
            statementTimeout: try environment.milliseconds("DB_STATEMENT_TIMEOUT_MS", default: .seconds(30), range: .zero ... .seconds(86_400)),
            lockTimeout: try environment.milliseconds("DB_LOCK_TIMEOUT_MS", default: .seconds(10), range: .zero ... .seconds(86_400)),
            idleInTransactionTimeout: try environment.milliseconds(
                "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default: .seconds(60), range: .zero ... .seconds(86_400)
            ),
            tcpKeepalive: try environment.seconds("DB_TCP_KEEPALIVE_SECONDS", default: .seconds(30), range: .zero ... .seconds(7200))
        )
    }

    /// Whether webhooks are taken without a signature, and so only from loopback unless
    /// `ALLOW_UNSIGNED_WEBHOOKS=true`.
    public var acceptsUnsignedWebhooks: Bool {
        self.mode != .worker && self.ingress.webhookSecret == nil
    }

    /// A secret or token: unset is nil; set but blank, or a placeholder left from a
    /// template (`CHANGE_ME…`, `changeme`), is refused.
    static func credential(_ name: String, in environment: EnvironmentReader) throws -> String? {
        guard let value = try environment.string(name) else {
            guard !environment.isSet(name) else {
                throw RuntimeError(.invalidConfiguration, "\(name) is set but empty; set a real value or unset it")
            }
            return nil
        }
        let lowered = value.lowercased()
        guard !lowered.hasPrefix("change_me"), !lowered.hasPrefix("changeme") else {
            throw RuntimeError(.invalidConfiguration, "\(name) is still the template's placeholder; set a real value")
        }
        return value
    }

    /// The address to bind: `HOST` when it is an IP literal or a well-formed host name.
    /// Unsigned webhooks keep the listener on loopback unless allowed explicitly.
    static func host(_ text: String?, signed: Bool) throws -> String {
        guard let text else { return signed ? "0.0.0.0" : Self.loopbackHost }
        guard let kind = HostName.Kind(text) else {
            throw RuntimeError(.invalidConfiguration, "HOST must be an IPv4 or IPv6 literal or a host name, got \(HostName.quoted(text))")
        }
        guard signed || kind.isLoopback else {
            throw RuntimeError(
                .invalidConfiguration,
                "WEBHOOK_SECRET is unset, so HOST must be a loopback address (unsigned webhooks are not taken from the network); "
                    + "set WEBHOOK_SECRET, or ALLOW_UNSIGNED_WEBHOOKS=true to accept them anyway"
            )
        }
        return text
    }
}
