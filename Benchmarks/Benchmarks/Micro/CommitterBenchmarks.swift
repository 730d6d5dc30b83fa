import Actors
import Benchmark
import Foundation
import TestSupport

/// GroupCommitter from `submit` to the answer, over an in-memory store
/// (``ScriptedIngestStore``): the committer's own allocations per webhook (queue entry, waiter,
/// continuation, batch, result), without a database. Each iteration is one webhook with a
/// tx_hash of its own; each sample gets a fresh store and committer.
func registerCommitterBenchmarks() {
    Benchmark("GroupCommitter_submit_to_commit,_one_at_a_time") { benchmark async throws in
        // Every webhook its own batch: the per-webhook worst case.
        let records = commitRecords(benchmark.scaledIterations.count, run: "serial")
        try await withRunningCommitter(storing: records.count) { committer in
            benchmark.startMeasurement()
            for record in records {
                blackHole(try await committer.submit(record))
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark(
        "GroupCommitter_submit_to_commit,_16_concurrent_submitters",
        // How the webhooks fall into batches depends on scheduling: ±10 %.
        configuration: .init(thresholds: [.mallocCountTotal: .init(relative: [.p90: 10])])
    ) { benchmark async throws in
        // Webhooks arriving together share batches, as under load.
        let records = commitRecords(benchmark.scaledIterations.count, run: "concurrent")
        let submitters = 16
        try await withRunningCommitter(storing: records.count) { committer in
            benchmark.startMeasurement()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for submitter in 0..<submitters {
                    group.addTask {
                        for index in stride(from: submitter, to: records.count, by: submitters) {
                            blackHole(try await committer.submit(records[index]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            benchmark.stopMeasurement()
        }
    }
}

/// `count` distinct confirmed deposits of this run.
private func commitRecords(_ count: Int, run: String) -> [DepositRecord] {
    (0..<count).map { index in
        DepositRecord(txHash: "bench-\(run)-\(index)", amount: try! Amount(parsing: "1.5"), confirmations: 12, userRef: nil)
    }
}

/// Runs `body` with a committer whose flush loop runs, over a fresh in-memory store, then
/// stops the loop and checks that `count` transfers were stored.
private func withRunningCommitter(storing count: Int, _ body: (GroupCommitter) async throws -> Void) async throws {
    let store = ScriptedIngestStore()
    let committer = GroupCommitter(store: store, logger: quietLogger("bench-committer"))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await committer.run() }
        try await body(committer)
        group.cancelAll()
    }
    precondition(store.storedTxHashes.count == count, "every webhook is stored")
}
