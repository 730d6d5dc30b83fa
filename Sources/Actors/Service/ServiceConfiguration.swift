import Runtime

/// Everything the service needs to start, as Main assembles it from the environment
/// and flags. Defaults are the documented ones.
public struct ServiceConfiguration: Sendable {
    /// Which parts run in this process.
    public enum Mode: String, Sendable, CaseIterable {
        /// Ingress and workers.
        case serve
        /// Ingress only.
        case api
        /// Workers only (the listener serves probes and metrics).
        case worker
    }

    public var mode: Mode
    public var database: DatabaseLocation
    /// `DB_POOL_SIZE` (20), `DB_MAX_OVERFLOW` (30), `DB_POOL_TIMEOUT` (30 s). SQLite uses one connection.
    public var poolSize: Int
    public var poolMaxOverflow: Int
    public var poolTimeout: Duration
    /// `WORKER_CONCURRENCY` (8).
    public var workerConcurrency: Int
    /// `CONFIRMATION_THRESHOLD` (12).
    public var confirmationThreshold: Int64
    public var ingress: IngressActor.Configuration
    public var worker: DepositWorker.Configuration
    /// `SUPERVISOR_MAX_RESTARTS` (10) within `SUPERVISOR_RESTART_WINDOW` (60 s).
    public var supervisorMaxRestarts: Int
    public var supervisorRestartWindow: Duration
    /// How often store gauges and readiness are refreshed (5 s).
    public var monitorInterval: Duration
    /// Time each part gets to stop gracefully before it is cancelled (30 s).
    public var shutdownTimeout: Duration
    /// Group commit batch limit (256).
    public var ingestBatchSize: Int
    /// `ALLOW_UNSIGNED_WEBHOOKS` (false): without `WEBHOOK_SECRET`, take unsigned webhooks
    /// from any address rather than from loopback only.
    public var allowUnsignedWebhooks: Bool
    /// `DB_STATEMENT_TIMEOUT_MS` (30 s), `DB_LOCK_TIMEOUT_MS` (10 s),
    /// `DB_IDLE_IN_TRANSACTION_TIMEOUT_MS` (60 s), `DB_TCP_KEEPALIVE_SECONDS` (30 s): the
    /// bounds of every PostgreSQL session.
    public var postgresSession = PostgresSessionSettings()

    public init(
        mode: Mode = .serve,
        database: DatabaseLocation = .sqlite(path: DatabaseLocation.defaultSQLitePath),
        poolSize: Int = 20,
        poolMaxOverflow: Int = 30,
        poolTimeout: Duration = .seconds(30),
        workerConcurrency: Int = 8,
        confirmationThreshold: Int64 = 12,
        ingress: IngressActor.Configuration = .init(),
        worker: DepositWorker.Configuration = .init(),
        supervisorMaxRestarts: Int = 10,
        supervisorRestartWindow: Duration = .seconds(60),
        monitorInterval: Duration = .seconds(5),
        shutdownTimeout: Duration = .seconds(30),
        ingestBatchSize: Int = 256,
        allowUnsignedWebhooks: Bool = false
    ) {
        self.mode = mode
        self.database = database
        self.poolSize = poolSize
        self.poolMaxOverflow = poolMaxOverflow
        self.poolTimeout = poolTimeout
        self.workerConcurrency = workerConcurrency
        self.confirmationThreshold = confirmationThreshold
        self.ingress = ingress
        self.worker = worker
        self.supervisorMaxRestarts = supervisorMaxRestarts
        self.supervisorRestartWindow = supervisorRestartWindow
        self.monitorInterval = monitorInterval
        self.shutdownTimeout = shutdownTimeout
        self.ingestBatchSize = ingestBatchSize
        self.allowUnsignedWebhooks = allowUnsignedWebhooks
    }
}
