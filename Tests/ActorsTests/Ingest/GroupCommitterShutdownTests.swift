import Actors
import Foundation
import TestSupport
import Testing

/// Cancellation and shutdown: a cancelled submitter is answered at once (its record may still
/// commit, and a retry then gets the same tx_id); a stopped committer drains what is in
/// flight and refuses what waits, so nothing is answered 202 that was not committed.
@Suite(.timeLimit(.minutes(1))) struct GroupCommitterShutdownTests {
    func record(_ hash: String) -> DepositRecord {
        DepositRecord(txHash: hash, amount: try! Amount(parsing: "1"), confirmations: 12)
    }

    @Test func aSubmitterCancelledWhileItsBatchIsInFlightIsAnsweredAtOnceAndARetryGetsTheSameTxID() async throws {
        let store = ScriptedIngestStore()
        store.stallIngest()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), logger: .silent())
        let run = Task { await committer.run() }

        let submitter = Task { try await committer.submit(self.record("impatient")) }
        await store.waitUntilStalled()
        submitter.cancel()
        await #expect(throws: CancellationError.self) { try await submitter.value }
        #expect(store.stalledCount == 1, "answered before the store finished")

        store.releaseStall()
        let retry = try await committer.submit(self.record("impatient"))
        #expect(retry.outcome == .accepted(created: false, queued: false))
        #expect(store.storedTxHashes == ["impatient"])
        run.cancel()
        await run.value
    }

    @Test func aStoppedCommitterCommitsTheBatchInFlightAndRefusesTheWaitingOnes() async throws {
        let store = ScriptedIngestStore()
        store.stallIngest()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), logger: .silent())
        let run = Task { await committer.run() }

        let inFlight = Task { try await committer.submit(self.record("in-flight")) }
        await store.waitUntilStalled()
        let waiting = ["waiting-1", "waiting-2"].map { hash in
            (hash, Task { try await committer.submit(self.record(hash)) })
        }
        await committer.waitUntilPending(atLeast: 2)

        run.cancel()
        store.releaseStall()
        await run.value

        #expect(try await inFlight.value.outcome == .accepted(created: true, queued: true))
        for (hash, task) in waiting {
            await #expect(throws: ServiceError(.unavailable, ""), "\(hash)") { try await task.value }
        }
        // Every 202 was committed, and nothing else was.
        #expect(store.storedTxHashes == ["in-flight"])
        #expect(store.batches == [["in-flight"]])
        #expect(!committer.isRunning)
        #expect(committer.pendingCount == 0)
    }

    @Test func aCommitterStoppedBeforeItsFirstBatchRefusesEveryWaitingWebhook() async throws {
        let store = ScriptedIngestStore()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), logger: .silent())
        let waiting = (1...3).map { index in Task { try await committer.submit(self.record("w\(index)")) } }
        await committer.waitUntilPending(atLeast: 3)

        // Cancelled before the loop's first look at the queue.
        let run = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await committer.run()
        }
        await run.value

        for task in waiting {
            await #expect(throws: ServiceError(.unavailable, "")) { try await task.value }
        }
        #expect(store.batches.isEmpty)
        #expect(committer.pendingCount == 0)
        await #expect(throws: ServiceError(.unavailable, "")) { try await committer.submit(self.record("late")) }
    }

    @Test func aCommitterStoppedDuringADeadlockBackoffAnswers503AndStoresNothing() async throws {
        let store = ScriptedIngestStore()
        store.failWithDeadlock(times: 1)
        let clock = MockClock()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), clock: clock, logger: .silent())
        let submitted = Task { try await committer.submit(self.record("unlucky")) }
        await committer.waitUntilPending(atLeast: 1)
        let run = Task { await committer.run() }

        await clock.nextTimerScheduled()  // the batch waits to be committed again
        run.cancel()
        await run.value

        await #expect(throws: ServiceError(.unavailable, "")) { try await submitted.value }
        #expect(store.storedTxHashes.isEmpty)
        #expect(store.batches == [["unlucky"]], "not committed again once stopped")
    }
}
