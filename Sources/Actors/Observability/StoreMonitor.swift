import Logging
import Runtime

/// Refreshes the store-derived gauges (`deposits_in_state`, `deposit_queue_depth`,
/// `deposit_queue_oldest_age_seconds`, `deposit_queue_oldest_job_age_seconds`) and the store
/// probe in ``ServiceHealth`` that `/api/v1/health` and `/readyz` answer from, every few seconds.
public struct StoreMonitor: Sendable {
    public struct Configuration: Sendable {
        /// Time between refreshes. Default 5 s.
        public var interval: Duration

        public init(interval: Duration = .seconds(5)) {
            self.interval = interval
        }
    }

    let configuration: Configuration
    let store: any DepositStore
    let metrics: ServiceMetrics
    let health: ServiceHealth
    let logger: Logger

    public init(configuration: Configuration = .init(), store: any DepositStore, metrics: ServiceMetrics, health: ServiceHealth, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.metrics = metrics
        self.health = health
        self.logger = logger
    }

    /// Refreshes once.
    public func refresh() async {
        do {
            let statistics = try await self.store.statistics()
            self.metrics.recordStatistics(statistics)
            if !self.health.isStoreReachable { self.logger.info("store_reachable") }
            self.health.storeChecked(reachable: true)
        } catch {
            if self.health.isStoreReachable { self.logger.warning("store_unreachable", metadata: ["error": "\(error)"]) }
            self.health.storeChecked(reachable: false)
        }
    }

    /// Refreshes until the supervisor asks it to stop.
    public func run<C: Clock>(context: ChildContext, clock: C) async where C.Duration == Duration {
        while !context.isShutdownRequested && !Task.isCancelled {
            await self.refresh()
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await clock.sleep(for: self.configuration.interval) }
                group.addTask { await context.shutdownRequested() }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
