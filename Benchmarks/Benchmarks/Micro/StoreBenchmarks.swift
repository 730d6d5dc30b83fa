import Actors
import Benchmark
import CricalgoRuntime
import Logging
import TestSupport

/// One group commit (`DepositStore.ingest`) of 1, 16 and 256 new deposits into an embedded
/// SQLite store with durable commits: the cost the group committer amortises over a batch.
/// Each sample gets a fresh store and one unmeasured warm-up commit, then measures one commit.
func registerStoreBenchmarks() {
    for size in [1, 16, 256] {
        Benchmark(
            "SQLite_group_commit_\(size)_records",
            configuration: .init(scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 40)
        ) { benchmark async throws in
            try await TestDatabase.with(.sqlite) { database in
                try await withRunningStore(database) { store in
                    _ = try await store.ingest(depositRecords(size, from: 0), confirmationThreshold: 12)
                    let records = depositRecords(size, from: size)
                    benchmark.startMeasurement()
                    let results = try await store.ingest(records, confirmationThreshold: 12)
                    benchmark.stopMeasurement()
                    precondition(results.count == size, "every record gets a result")
                    blackHole(results)
                }
            }
        }
    }
}

/// `count` distinct confirmed deposits, numbered from `first`.
private func depositRecords(_ count: Int, from first: Int) -> [DepositRecord] {
    (first..<first + count).map { index in
        DepositRecord(txHash: "bench-commit-\(index)", amount: try! Amount(parsing: "1.5"), confirmations: 12, userRef: nil)
    }
}

/// Like `TestSupport.withStore`, but runs `body` in the calling task so it may use the
/// (non-Sendable) benchmark: a migrated store with its pool running, closed afterwards.
private func withRunningStore(_ database: TestDatabase, _ body: (any DepositStore) async throws -> Void) async throws {
    var logger = Logger(label: "bench-store")
    logger.logLevel = .critical
    let configuration = ServiceConfiguration(database: database.location, poolSize: 1, poolMaxOverflow: 0)
    let metrics = ServiceMetrics(recorder: .disabled)
    let handle = try StoreHandle.make(configuration, metrics: metrics, clock: .system, faults: NoFaults(), logger: logger)
    _ = try await handle.store.migrate()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await handle.runPool() }
        do {
            try await body(handle.store)
        } catch {
            await handle.closePool()
            throw error
        }
        await handle.closePool()
        try await group.waitForAll()
    }
}
