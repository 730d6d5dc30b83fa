import Foundation
import Logging
import Runtime

/// The deposit service assembled as a supervision tree:
///
/// ```
/// root (one_for_one)
///  ├─ metrics        MetricsActor: drains samples
///  ├─ pool           PoolActor: database connections
///  ├─ monitor        store gauges and readiness
///  ├─ job-listener   LISTEN for jobs queued by other processes (PostgreSQL, workers only)
///  ├─ workers (one_for_one)
///  │   └─ worker-1 … worker-N   DepositWorker
///  └─ ingress        IngressActor: HTTP listener + group committer
/// ```
///
/// Children start top to bottom and stop bottom to top: the listener stops taking
/// requests before the workers stop, and the pool closes after both.
public final class DepositService: Sendable {
    public let configuration: ServiceConfiguration
    public let root: Supervisor<ContinuousClock>
    public let workers: Supervisor<ContinuousClock>
    public let store: any DepositStore
    public let metricsActor: MetricsActor
    public let metrics: ServiceMetrics
    public let health: ServiceHealth
    public let signal: JobSignal
    /// The HTTP listener (in `worker` mode it serves only probes and metrics).
    public let ingress: IngressActor
    /// Distinguishes this process's leases from other processes'.
    public let instance: String

    public init(
        configuration: ServiceConfiguration,
        logger: Logger,
        clock: WallClock = .system,
        faults: any FaultInjector = NoFaults(),
        observer: any WorkerObserver = NoWorkerObserver()
    ) throws {
        self.configuration = configuration
        let metricsActor = MetricsActor(logger: logger)
        let metrics = ServiceMetrics(recorder: metricsActor.recorder)
        // A store probe older than a few monitor intervals no longer counts.
        let health = ServiceHealth(probeStaleAfter: max(configuration.monitorInterval * 3, .seconds(10)))
        let signal = JobSignal(maximumPermits: configuration.workerConcurrency)
        let handle = try StoreHandle.make(configuration, metrics: metrics, clock: clock, faults: faults, logger: logger)
        let instance = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
        self.metricsActor = metricsActor
        self.metrics = metrics
        self.health = health
        self.signal = signal
        self.store = handle.store
        self.instance = instance

        let supervision = SupervisorObservation(metrics: metrics, health: health, logger: logger)
        let intensity = Supervisor<ContinuousClock>.Configuration(
            strategy: .oneForOne,
            maxRestarts: configuration.supervisorMaxRestarts,
            restartWindow: configuration.supervisorRestartWindow
        )
        var workerIntensity = intensity
        workerIntensity.restartLogEvent = "worker_restarted"
        workerIntensity.childMetadataKey = "worker"
        var workerSpecs: [ChildSpec] = []
        if configuration.mode != .api {
            for index in 1...max(1, configuration.workerConcurrency) {
                let worker = DepositWorker(
                    name: "worker-\(index)",
                    instance: instance,
                    configuration: configuration.worker,
                    store: handle.store,
                    signal: signal,
                    metrics: metrics,
                    faults: faults,
                    observer: observer,
                    logger: logger
                )
                workerSpecs.append(ChildSpec(name: worker.name, shutdownTimeout: configuration.shutdownTimeout) { context in
                    try await worker.run(context: context, clock: ContinuousClock())
                })
            }
        }
        let workers = Supervisor(
            name: "workers", configuration: workerIntensity, children: workerSpecs, clock: ContinuousClock(), logger: logger, observer: supervision
        )
        self.workers = workers

        // Each run of the ingress creates its own committer from this.
        // A commit that queued deposits wakes this process's idle workers (in `api` mode
        // there are none: the permits wait unused, and workers elsewhere hear the store's
        // NOTIFY instead).
        let committer = GroupCommitter.Configuration(
            maximumBatchSize: configuration.ingestBatchSize,
            maximumConcurrentBatches: handle.store.backend == .postgres ? 2 : 1,
            confirmationThreshold: configuration.confirmationThreshold,
            wakeUp: .signal(signal, limit: configuration.workerConcurrency)
        )
        var ingressConfiguration = configuration.ingress
        if configuration.mode == .worker { ingressConfiguration.probesOnly = true }

        // The root is created last: the admin hooks need it, and it needs the ingress.
        let rootBox = SupervisorReference()
        let ingress = IngressActor(
            configuration: ingressConfiguration,
            store: handle.store,
            committer: committer,
            committerObserver: IngestObservation(metrics: metrics),
            metrics: metrics,
            metricsActor: metricsActor,
            health: health,
            hooks: AdminHooks(
                supervisionTree: {
                    if let root = rootBox.supervisor { return await root.snapshot() }
                    return SupervisionTreeNode(name: "root", state: "stopped", restarts: 0, strategy: .oneForOne, children: [])
                },
                killWorker: {
                    guard let name = await workers.aliveChildren().randomElement() else { return nil }
                    return await workers.kill(name) ? name : nil
                }
            ),
            clock: clock,
            logger: logger
        )
        self.ingress = ingress

        let stop = configuration.shutdownTimeout
        var children: [ChildSpec] = [
            ChildSpec(name: "metrics", shutdownTimeout: .seconds(1)) { context in
                try await Self.runUntilShutdown(context) { await metricsActor.run() }
            },
            ChildSpec(name: "pool", shutdownTimeout: .seconds(5)) { context in
                try await Self.runUntilShutdown(context, stop: handle.closePool) { try await handle.runPool() }
            },
            ChildSpec(name: "monitor", shutdownTimeout: .seconds(1)) { context in
                await StoreMonitor(
                    configuration: .init(interval: configuration.monitorInterval), store: handle.store, metrics: metrics, health: health, logger: logger
                ).run(context: context, clock: ContinuousClock())
            },
        ]
        if configuration.mode != .api {
            if let listener = handle.jobListener {
                children.append(ChildSpec(name: "job-listener", shutdownTimeout: .seconds(1)) { context in
                    try await listener.run(context: context, signal: signal, wakeCount: configuration.workerConcurrency, clock: ContinuousClock())
                })
            }
            children.append(workers.childSpec(restart: .permanent, shutdownTimeout: stop))
        }
        children.append(ChildSpec(name: "ingress", shutdownTimeout: stop) { context in
            try await ingress.run(context: context)
        })
        let root = Supervisor(name: "root", configuration: intensity, children: children, clock: ContinuousClock(), logger: logger, observer: supervision)
        rootBox.set(root)
        self.root = root
    }

    /// Applies pending migrations (on a connection of their own).
    public func migrate() async throws -> [Int] {
        try await self.store.migrate()
    }

    /// Migrates, then runs the tree until shutdown (returns) or escalation (throws).
    public func run() async throws {
        _ = try await self.migrate()
        try await self.root.run()
    }

    /// Runs `body` until the supervisor asks the child to stop, then calls `stop` (or
    /// cancels `body` when there is none) and waits for `body` to end.
    static func runUntilShutdown(
        _ context: ChildContext,
        stop: (@Sendable () async -> Void)? = nil,
        _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body()
                return true
            }
            group.addTask {
                await context.shutdownRequested()
                await stop?()
                return false
            }
            while let bodyEnded = try await group.next() {
                if bodyEnded || stop == nil { group.cancelAll() }
            }
        }
    }
}
