import Benchmark
import CricalgoRuntime
import Logging
import TestSupport

/// PoolActor lease and return, with a fake factory that opens connections at once: the pool's
/// own cost per `withConnection` (two actor hops and the state machine), no database.
func registerPoolBenchmarks() {
    Benchmark("PoolActor_withConnection,_one_task") { benchmark async throws in
        try await withRunningPool(poolSize: 4) { pool in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try await pool.withConnection { connection in blackHole(connection) }
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("PoolActor_withConnection,_16_tasks_on_4_connections") { benchmark async throws in
        try await withRunningPool(poolSize: 4) { pool in
            let perTask = benchmark.scaledIterations.count / 16
            benchmark.startMeasurement()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        for _ in 0..<perTask {
                            try await pool.withConnection { connection in
                                blackHole(connection)
                                await Task.yield()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            benchmark.stopMeasurement()
        }
    }
}

private typealias BenchPool = PoolActor<FakeConnectionFactory, ContinuousClock>

/// Runs `body` with a running pool whose connections are all open, then closes the pool.
private func withRunningPool(poolSize: Int, _ body: (BenchPool) async throws -> Void) async throws {
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    let pool = BenchPool(
        factory: FakeConnectionFactory(autoSucceed: true),
        configuration: .init(poolSize: poolSize, maxOverflow: 0),
        clock: ContinuousClock(),
        logger: logger
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await pool.run() }
        // Open every connection before measuring.
        try await withThrowingTaskGroup(of: Void.self) { warm in
            for _ in 0..<poolSize {
                warm.addTask { try await pool.withConnection { _ in await Task.yield() } }
            }
            try await warm.waitForAll()
        }
        try await body(pool)
        await pool.close()
        try await group.waitForAll()
    }
}
