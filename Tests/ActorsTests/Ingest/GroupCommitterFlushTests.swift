import Actors
import Foundation
import Runtime
import TestSupport
import Testing

/// How the flush loop shares transactions: a burst that arrives while a batch is in flight
/// goes into the next one, never more transactions run at once than configured, and a
/// deadlock is committed again after its backoff on the committer's clock.
@Suite(.timeLimit(.minutes(1))) struct GroupCommitterFlushTests {
    func record(_ hash: String) -> DepositRecord {
        DepositRecord(txHash: hash, amount: try! Amount(parsing: "1"), confirmations: 12)
    }

    /// Submits each record from a task of its own; returns the tasks.
    func submit(_ hashes: [String], to committer: GroupCommitter) -> [Task<IngestResult, any Error>] {
        hashes.map { hash in Task { try await committer.submit(self.record(hash)) } }
    }

    @Test func aBurstWaitingBehindABatchInFlightSharesTheNextTransaction() async throws {
        let store = ScriptedIngestStore()
        store.stallIngest()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), logger: .silent())
        let run = Task { await committer.run() }

        let first = self.submit(["first"], to: committer)
        await store.waitUntilStalled()
        let burst = (1...50).map { "burst-\($0)" }
        let waiting = self.submit(burst, to: committer)
        await committer.waitUntilPending(atLeast: burst.count)
        #expect(store.calls["ingest"] == 1, "the burst waits for the slot")

        store.releaseStall()
        for task in first + waiting { _ = try await task.value }
        #expect(store.batches.count == 2)
        #expect(store.batches.first == ["first"])
        #expect(Set(store.batches.last ?? []) == Set(burst))
        run.cancel()
        await run.value
    }

    @Test func noMoreTransactionsRunAtOnceThanFlushSlots() async throws {
        let store = ScriptedIngestStore()
        store.stallIngest()
        let committer = GroupCommitter(store: store, configuration: .init(maximumBatchSize: 1, maximumConcurrentBatches: 2), logger: .silent())
        let run = Task { await committer.run() }

        let tasks = self.submit((1...5).map { "r\($0)" }, to: committer)
        await store.waitUntilStalled(count: 2)
        await committer.waitUntilPending(atLeast: 3)
        // Both slots are taken: the three others wait in the queue, not in the store.
        #expect(store.stalledCount == 2)
        #expect(store.calls["ingest"] == 2)
        #expect(committer.pendingCount == 3)

        store.releaseStall()
        for task in tasks { _ = try await task.value }
        #expect(store.batches.count == 5)
        #expect(store.storedTxHashes.count == 5)
        run.cancel()
        await run.value
    }

    @Test func aDeadlockIsCommittedAgainAfterItsBackoffOnTheClock() async throws {
        let store = ScriptedIngestStore()
        store.failWithDeadlock(times: 2)
        let clock = MockClock()
        let backoff = Backoff(minimum: .milliseconds(10), maximum: .milliseconds(100), jitter: 0)
        let committer = GroupCommitter(
            store: store, configuration: .init(maximumConcurrentBatches: 1, conflictBackoff: backoff), clock: clock, logger: .silent()
        )
        async let answers = submitTogether([self.record("a"), self.record("b")], to: committer)

        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(10)))
        #expect(store.batches.count == 1)
        clock.advance(by: .milliseconds(10))
        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(30)), "the second retry waits twice as long")
        #expect(store.batches.count == 2)
        clock.advance(by: .milliseconds(20))

        let answered = await answers
        #expect(answered["a"]?.accepted != nil)
        #expect(answered["b"]?.accepted != nil)
        #expect(store.batches == [["a", "b"], ["a", "b"], ["a", "b"]])
    }
}
