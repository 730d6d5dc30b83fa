import Runtime

extension ServiceConfiguration {
    /// The variables the service reads (SPEC §5), for documentation and validation.
    public static let variables = [
        "HOST", "PORT", "DATABASE_URL", "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "WORKER_CONCURRENCY",
        "CELERY_WORKER_CONCURRENCY", "CONFIRMATION_THRESHOLD", "WEBHOOK_SECRET", "WEBHOOK_TOLERANCE_SECONDS", "ADMIN_TOKEN",
        "MAX_BODY_BYTES", "INGEST_TIMEOUT_MS", "JOB_LEASE_SECONDS", "JOB_MAX_ATTEMPTS", "SUPERVISOR_MAX_RESTARTS",
        "SUPERVISOR_RESTART_WINDOW", "LOG_LEVEL", "LOG_FORMAT", "CHAOS_ENABLED", "SHUTDOWN_TIMEOUT_SECONDS",
    ]

    /// Reads the configuration from environment variables (and flags that Main folded in
    /// under the same names). A bad value throws an error naming the variable.
    public init(environment: EnvironmentReader, mode: Mode) throws {
        let database: DatabaseLocation
        do {
            database = try DatabaseLocation(url: environment.string("DATABASE_URL"))
        } catch {
            throw RuntimeError(.invalidConfiguration, error.message)
        }
        let concurrencyName = environment.first(of: "WORKER_CONCURRENCY", "CELERY_WORKER_CONCURRENCY")?.name ?? "WORKER_CONCURRENCY"
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
                host: environment.string("HOST") ?? "0.0.0.0",
                port: try environment.int("PORT", default: 8000, range: 0...65535),
                maximumBodyBytes: try environment.int("MAX_BODY_BYTES", default: 65_536, range: 256...(64 << 20)),
                ingestTimeout: try environment.milliseconds("INGEST_TIMEOUT_MS", default: .seconds(5), range: .milliseconds(1) ... .seconds(600)),
                webhookSecret: environment.string("WEBHOOK_SECRET"),
                signatureTolerance: try environment.seconds("WEBHOOK_TOLERANCE_SECONDS", default: .seconds(300), range: .seconds(1) ... .seconds(86_400)),
                adminToken: environment.string("ADMIN_TOKEN"),
                chaosEnabled: try environment.bool("CHAOS_ENABLED", default: false)
            ),
            worker: DepositWorker.Configuration(
                lease: try environment.seconds("JOB_LEASE_SECONDS", default: .seconds(15), range: .seconds(1) ... .seconds(3600)),
                maximumAttempts: try environment.int("JOB_MAX_ATTEMPTS", default: 5, range: 1...1000)
            ),
            supervisorMaxRestarts: try environment.int("SUPERVISOR_MAX_RESTARTS", default: 10, range: 0...10_000),
            supervisorRestartWindow: try environment.seconds("SUPERVISOR_RESTART_WINDOW", default: .seconds(60), range: .seconds(1) ... .seconds(86_400)),
            shutdownTimeout: shutdown
        )
    }
}
