import Runtime
import Synchronization

/// Every metric the service exposes, created once at start-up so each name is on
/// `/metrics` from the first scrape; names match the alert rules in `ops/`.
///
/// Series whose labels are only known at run time (HTTP route × status, supervisor name)
/// are created on first use and cached.
public final class ServiceMetrics: Sendable {
    public let recorder: MetricsRecorder

    public let webhookProcessing: HistogramKey
    public let enqueueFailed: CounterKey
    public let batchesRetried: CounterKey
    /// `webhook_ingest_rejected_total{reason="queue_full"}`.
    public let ingestRejectedQueueFull: CounterKey
    public let batchConflictRetries: CounterKey
    public let requestReadTimeouts: CounterKey
    public let queueDepth: GaugeKey
    public let queueOldestAge: GaugeKey
    /// Age of the oldest unfinished job, due or not (a stuck queue ages here even while its
    /// jobs keep being rescheduled into the future).
    public let queueOldestJobAge: GaugeKey
    public let taskDuration: HistogramKey
    public let taskFailed: CounterKey
    public let taskDeferred: CounterKey
    public let workersAlive: GaugeKey
    public let poolActive: GaugeKey
    public let poolIdle: GaugeKey
    public let poolMax: GaugeKey
    public let poolWaiters: GaugeKey
    public let poolTimeouts: CounterKey
    public let poolAcquire: HistogramKey
    /// Deposits refused because crediting them would pass the largest wallet balance.
    public let balanceCeiling: CounterKey
    let depositOutcomes: [String: CounterKey]
    let depositStates: [DepositState: GaugeKey]
    let webhookResults: [String: CounterKey]

    private struct HTTPSeries: Hashable {
        var method: String
        var path: String
        var code: Int
    }

    private let httpCounters = Mutex<[HTTPSeries: CounterKey]>([:])
    private let httpDurations = Mutex<[HTTPSeries: HistogramKey]>([:])
    private let restartCounters = Mutex<[String: CounterKey]>([:])

    public init(recorder: MetricsRecorder) {
        self.recorder = recorder
        self.webhookProcessing = recorder.histogram(
            "webhook_processing_duration_seconds", help: "Time from a webhook's arrival to its durable answer."
        )
        self.enqueueFailed = recorder.counter(
            "webhook_enqueue_failed_total", help: "Webhooks answered 503 because the store did not commit them."
        )
        self.batchesRetried = recorder.counter(
            "webhook_batch_retried_total", help: "Group commits the store refused for their data, committed again one webhook at a time."
        )
        self.ingestRejectedQueueFull = recorder.counter(
            "webhook_ingest_rejected_total", [("reason", "queue_full")],
            help: "Webhooks answered 503 at once, without waiting for a commit, by reason."
        )
        self.batchConflictRetries = recorder.counter(
            "webhook_batch_conflict_retried_total", help: "Group commits run again after a deadlock or serialization failure."
        )
        self.requestReadTimeouts = recorder.counter(
            "http_request_read_timeouts_total", help: "Connections closed because a request did not arrive whole within REQUEST_READ_TIMEOUT_SECONDS."
        )
        self.queueDepth = recorder.gauge("deposit_queue_depth", help: "Deposit jobs not yet finished.")
        self.queueOldestAge = recorder.gauge(
            "deposit_queue_oldest_age_seconds", help: "Age of the oldest due deposit job that no worker holds."
        )
        self.queueOldestJobAge = recorder.gauge(
            "deposit_queue_oldest_job_age_seconds", help: "Age of the oldest unfinished deposit job, whether due, scheduled for retry or leased."
        )
        self.taskDuration = recorder.histogram(
            "deposit_task_duration_seconds", help: "Time a worker spends on one deposit job."
        )
        self.taskFailed = recorder.counter("deposit_task_failed_total", help: "Deposit job attempts that failed and were rolled back.")
        self.taskDeferred = recorder.counter(
            "deposit_task_deferred_total", help: "Claims given back uncharged because the store was unavailable."
        )
        self.workersAlive = recorder.gauge("workers_alive", help: "DepositWorker actors currently running.")
        self.poolActive = recorder.gauge("db_pool_connections_active", help: "Database connections leased right now.")
        self.poolIdle = recorder.gauge("db_pool_connections_idle", help: "Open database connections not leased.")
        self.poolMax = recorder.gauge("db_pool_connections_max", help: "DB_POOL_SIZE + DB_MAX_OVERFLOW.")
        self.poolWaiters = recorder.gauge("db_pool_waiters", help: "Tasks waiting for a database connection.")
        self.poolTimeouts = recorder.counter("db_pool_timeouts_total", help: "Connection requests that timed out.")
        self.poolAcquire = recorder.histogram("db_pool_acquire_duration_seconds", help: "Time spent waiting for a database connection.")
        self.balanceCeiling = recorder.counter(
            "deposit_balance_ceiling_total",
            help: "Deposits settled as failed because crediting them would take a wallet past the largest NUMERIC(38,18) balance."
        )
        let outcomes = [JobOutcome.credited, .unmatched, .failed, .balanceCeiling, .alreadyFinal, .leaseLost].map(\.rawValue) + [DepositState.dead.rawValue]
        self.depositOutcomes = Dictionary(uniqueKeysWithValues: outcomes.map {
            ($0, recorder.counter("deposits_total", [("outcome", $0)], help: "Deposit jobs finished, by outcome."))
        })
        self.depositStates = Dictionary(uniqueKeysWithValues: DepositState.allCases.map {
            ($0, recorder.gauge("deposits_in_state", [("state", $0.rawValue)], help: "Deposits per lifecycle state."))
        })
        self.webhookResults = Dictionary(uniqueKeysWithValues: ["created", "repeat", "conflict", "rejected", "unavailable"].map {
            ($0, recorder.counter("webhooks_total", [("result", $0)], help: "Webhooks received, by result."))
        })
        _ = self.restartCounter(supervisor: "root")
        _ = self.restartCounter(supervisor: "workers")
    }

    /// Records one HTTP exchange under its route template (never the raw path).
    public func recordRequest(method: String, path: String, code: Int, duration: Duration) {
        let series = HTTPSeries(method: method, path: path, code: code)
        let counter = self.httpCounters.withLock { cache in
            if let key = cache[series] { return key }
            let key = self.recorder.counter(
                "http_requests_total", [("method", method), ("path", path), ("code", String(code))], help: "HTTP requests answered."
            )
            cache[series] = key
            return key
        }
        let timing = HTTPSeries(method: method, path: path, code: 0)
        let histogram = self.httpDurations.withLock { cache in
            if let key = cache[timing] { return key }
            let key = self.recorder.histogram(
                "http_request_duration_seconds", [("method", method), ("path", path)], help: "HTTP request latency."
            )
            cache[timing] = key
            return key
        }
        self.recorder.increment(counter)
        self.recorder.observe(histogram, duration)
    }

    public func restartCounter(supervisor: String) -> CounterKey {
        self.restartCounters.withLock { cache in
            if let key = cache[supervisor] { return key }
            let key = self.recorder.counter(
                "supervisor_restarts_total", [("supervisor", supervisor)], help: "Child restarts performed by each supervisor."
            )
            cache[supervisor] = key
            return key
        }
    }

    /// Counts a finished job under `deposits_total{outcome}` (a ``JobOutcome`` or `dead`).
    public func recordOutcome(_ outcome: String) {
        if let key = self.depositOutcomes[outcome] { self.recorder.increment(key) }
        if outcome == JobOutcome.balanceCeiling.rawValue { self.recorder.increment(self.balanceCeiling) }
    }

    public func recordWebhook(_ result: String) {
        if let key = self.webhookResults[result] { self.recorder.increment(key) }
    }

    public func recordStatistics(_ statistics: StoreStatistics) {
        for (state, key) in self.depositStates {
            self.recorder.set(key, to: Double(statistics.deposits[state] ?? 0))
        }
        self.recorder.set(self.queueDepth, to: Double(statistics.queueDepth))
        self.recorder.set(self.queueOldestAge, to: statistics.oldestDueAge.seconds)
        self.recorder.set(self.queueOldestJobAge, to: statistics.oldestJobAge.seconds)
    }
}
