import Foundation
import Logging
import Runtime

/// Builds the store for a ``DatabaseLocation`` together with the pool it leases from.
public struct StoreHandle: Sendable {
    public var store: any DepositStore
    /// Runs the pool until the supervisor asks it to stop.
    public var runPool: @Sendable () async throws -> Void
    /// Closes the pool (waiters fail, connections close).
    public var closePool: @Sendable () async -> Void
    /// For PostgreSQL: follows `NOTIFY` on the jobs channel (nil for SQLite).
    public var jobListener: PostgresJobListener?

    public static func make(
        _ configuration: ServiceConfiguration,
        metrics: ServiceMetrics,
        clock: WallClock,
        faults: any FaultInjector,
        logger: Logger,
        access: StoreAccess = .readWrite
    ) throws -> StoreHandle {
        let observer = PoolMetricsObserver(metrics: metrics)
        switch configuration.database {
        case .postgres(let address):
            var session = configuration.postgresSession
            session.readOnly = access == .readOnly
            let factory = try PostgresConnectionFactory(address: address, session: session, logger: logger)
            let pool = PostgresStore.Pool(
                factory: factory,
                configuration: .init(
                    poolSize: configuration.poolSize,
                    maxOverflow: configuration.poolMaxOverflow,
                    acquireTimeout: configuration.poolTimeout
                ),
                clock: ContinuousClock(),
                logger: logger,
                observer: observer
            )
            let store = PostgresStore(pool: pool, factory: factory, logger: logger, clock: clock, faults: faults)
            return StoreHandle(
                store: store,
                runPool: { try await pool.run() },
                closePool: { await pool.close() },
                jobListener: PostgresJobListener(factory: factory, logger: logger, ownSender: store.notificationSender)
            )
        case .sqlite(let path):
            if access == .readOnly && FileManager.default.fileExists(atPath: path) == false {
                throw ServiceError(
                    .notFound, "no SQLite database at \(path) (wrong DATABASE_URL or working directory?); it is opened read-only and never created"
                )
            }
            let factory = SQLiteConnectionFactory(path: path, access: access == .readOnly ? .readOnly : .readWrite, logger: logger)
            let pool = SQLiteStore.Pool(
                factory: factory,
                configuration: .init(poolSize: 1, maxOverflow: 0, acquireTimeout: configuration.poolTimeout),
                clock: ContinuousClock(),
                logger: logger,
                observer: observer
            )
            let store = SQLiteStore(pool: pool, factory: factory, logger: logger, clock: clock, faults: faults)
            return StoreHandle(store: store, runPool: { try await pool.run() }, closePool: { await pool.close() }, jobListener: nil)
        }
    }
}

extension StoreHandle {
    /// Runs `body` against the store with its pool running beside it, then closes the
    /// pool and waits for it to finish (for commands and tests that use the store outside
    /// the supervision tree).
    public func withRunningPool<Result: Sendable>(_ body: @Sendable (any DepositStore) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.runPool() }
            do {
                let result = try await body(self.store)
                await self.closePool()
                try await group.waitForAll()
                return result
            } catch {
                await self.closePool()
                throw error
            }
        }
    }
}
