import Actors
import Logging
import Runtime

/// Runs `body` against a migrated store on `database`, with its pool running, and shuts
/// the pool down afterwards. `schemaVersion` stops the migrations at that version (a
/// database as an older release left it; `store.migrate()` applies the rest).
public func withStore<Result: Sendable>(
    _ database: TestDatabase,
    clock: WallClock = .system,
    faults: any FaultInjector = NoFaults(),
    poolSize: Int = 4,
    schemaVersion: Int = .max,
    _ body: @Sendable (any DepositStore) async throws -> Result
) async throws -> Result {
    let logger = Logger(label: "test-store")
    var configuration = ServiceConfiguration(database: database.location)
    configuration.poolSize = poolSize
    configuration.poolMaxOverflow = 2
    // Generous: the machine running the tests may be busy; a timeout here is not what is tested.
    configuration.poolTimeout = .seconds(60)
    let metrics = ServiceMetrics(recorder: MetricsActor(logger: logger).recorder)
    let handle = try StoreHandle.make(configuration, metrics: metrics, clock: clock, faults: faults, logger: logger)
    switch handle.store {
    case let store as PostgresStore: _ = try await store.migrate(through: schemaVersion)
    case let store as SQLiteStore: _ = try await store.migrate(through: schemaVersion)
    default: _ = try await handle.store.migrate()
    }
    return try await handle.withRunningPool(body)
}
