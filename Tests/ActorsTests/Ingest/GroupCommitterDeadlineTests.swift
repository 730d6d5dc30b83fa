import Actors
import Foundation
import TestSupport
import Testing

/// Timeouts kept by the committer (``GroupCommitter/submit(_:timeout:)``): one expiry loop on
/// the committer's clock fails a waiter at its deadline, queued (never committed then) or in
/// flight (answered once, whatever its batch does later), and leaves every other waiter alone.
@Suite(.timeLimit(.minutes(1))) struct GroupCommitterDeadlineTests {
    func record(_ hash: String) -> DepositRecord {
        DepositRecord(txHash: hash, amount: try! Amount(parsing: "1"), confirmations: 12)
    }

    /// A committer on `clock` whose store stalls its first batch, running; the stalled batch
    /// holds "blocker" (submitted without a timeout), so what is submitted next waits in the queue.
    func blockedCommitter(clock: MockClock, store: ScriptedIngestStore) async -> (GroupCommitter, Task<Void, Never>, Task<IngestResult, any Error>) {
        store.stallIngest()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), clock: clock, logger: .silent())
        let run = Task { await committer.run() }
        let blocker = Task { try await committer.submit(self.record("blocker")) }
        await store.waitUntilStalled()
        return (committer, run, blocker)
    }

    /// The message of the `ServiceError` `task` failed with; nil when it succeeded or failed otherwise.
    func failure(of task: Task<IngestResult, any Error>) async -> ServiceError? {
        do {
            _ = try await task.value
            return nil
        } catch {
            return error as? ServiceError
        }
    }

    @Test func aQueuedWebhookPastItsDeadlineIs503AndNeverCommitted() async throws {
        let clock = MockClock()
        let store = ScriptedIngestStore()
        let (committer, run, blocker) = await self.blockedCommitter(clock: clock, store: store)

        let late = Task { try await committer.submit(self.record("late"), timeout: .seconds(5)) }
        await committer.waitUntilPending(atLeast: 1)
        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.seconds(5)))
        clock.advance(by: .seconds(5))

        let error = await self.failure(of: late)
        #expect(error?.code == .unavailable)
        #expect(error?.message == "the store did not commit within 5.0 seconds")
        #expect(error == GroupCommitter.commitTimedOut(after: .seconds(5)))
        #expect(committer.pendingCount == 0, "its queue entry is a tombstone")

        store.releaseStall()
        _ = try await blocker.value
        _ = try await committer.submit(self.record("after"))
        #expect(store.batches == [["blocker"], ["after"]], "the expired webhook is never committed")
        #expect(!store.storedTxHashes.contains("late"))
        run.cancel()
        await run.value
    }

    @Test func aWebhookInFlightPastItsDeadlineIs503OnceAndARetryGetsTheSameTxID() async throws {
        let clock = MockClock()
        let store = ScriptedIngestStore()
        store.stallIngest()
        let observer = RecordingIngestObserver()
        let committer = GroupCommitter(
            store: store, configuration: .init(maximumConcurrentBatches: 1), observer: observer, clock: clock, logger: .silent()
        )
        let run = Task { await committer.run() }

        let slow = Task { try await committer.submit(self.record("slow"), timeout: .seconds(5)) }
        await store.waitUntilStalled()
        clock.advance(by: .seconds(5))
        #expect(await self.failure(of: slow) == GroupCommitter.commitTimedOut(after: .seconds(5)))
        #expect(store.stalledCount == 1, "answered while its batch is still in the store")

        // The batch commits later and finds no one to answer: a second resume would trap.
        store.releaseStall()
        let retry = try await committer.submit(self.record("slow"), timeout: .seconds(5))
        #expect(retry.outcome == .accepted(created: false, queued: false), "the record was committed by the first batch")
        #expect(observer.events.committed == [1, 1])
        #expect(store.storedTxHashes == ["slow"])
        run.cancel()
        await run.value
    }

    @Test func waitersBeforeTheirDeadlineAreUnaffected() async throws {
        let clock = MockClock()
        let store = ScriptedIngestStore()
        let (committer, run, blocker) = await self.blockedCommitter(clock: clock, store: store)

        let first = Task { try await committer.submit(self.record("first"), timeout: .seconds(5)) }
        await committer.waitUntilPending(atLeast: 1)
        clock.advance(to: MockClock.Instant(.seconds(3)))
        let second = Task { try await committer.submit(self.record("second"), timeout: .seconds(5)) }
        await committer.waitUntilPending(atLeast: 2)
        let patient = Task { try await committer.submit(self.record("patient")) }
        await committer.waitUntilPending(atLeast: 3)

        clock.advance(to: MockClock.Instant(.seconds(5)))
        #expect(await self.failure(of: first) == GroupCommitter.commitTimedOut(after: .seconds(5)))
        #expect(committer.pendingCount == 2, "the one due at 8 s and the one without a timeout still wait")

        store.releaseStall()
        _ = try await blocker.value
        #expect(try await second.value.outcome == .accepted(created: true, queued: true))
        #expect(try await patient.value.outcome == .accepted(created: true, queued: true))
        #expect(store.batches == [["blocker"], ["second", "patient"]])
        // Its deadline passing after its answer changes nothing.
        clock.advance(to: MockClock.Instant(.seconds(8)))
        run.cancel()
        await run.value
    }

    @Test func aShorterTimeoutSubmittedLaterExpiresFirst() async throws {
        let clock = MockClock()
        let store = ScriptedIngestStore()
        let (committer, run, blocker) = await self.blockedCommitter(clock: clock, store: store)

        let long = Task { try await committer.submit(self.record("long"), timeout: .seconds(10)) }
        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.seconds(10)))
        let short = Task { try await committer.submit(self.record("short"), timeout: .seconds(2)) }
        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.seconds(2)), "the alarm moves earlier")

        clock.advance(to: MockClock.Instant(.seconds(2)))
        #expect(await self.failure(of: short) == GroupCommitter.commitTimedOut(after: .seconds(2)))
        #expect(committer.pendingCount == 1)
        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.seconds(10)), "then back to the next deadline")
        clock.advance(to: MockClock.Instant(.seconds(10)))
        #expect(await self.failure(of: long)?.message == "the store did not commit within 10.0 seconds")

        store.releaseStall()
        _ = try await blocker.value
        #expect(store.batches == [["blocker"]])
        run.cancel()
        await run.value
    }

    @Test func manyWaitersWithTheSameDeadlineAllExpireInOnePass() async throws {
        let clock = MockClock()
        let store = ScriptedIngestStore()
        let (committer, run, blocker) = await self.blockedCommitter(clock: clock, store: store)

        let waiters = (1...100).map { index in Task { try await committer.submit(self.record("w\(index)"), timeout: .seconds(5)) } }
        await committer.waitUntilPending(atLeast: waiters.count)
        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.seconds(5)))
        #expect(clock.sleeperCount == 1, "one timer for the whole committer, none per webhook")

        clock.advance(by: .seconds(5))
        for waiter in waiters {
            #expect(await self.failure(of: waiter) == GroupCommitter.commitTimedOut(after: .seconds(5)))
        }
        #expect(committer.pendingCount == 0)

        store.releaseStall()
        _ = try await blocker.value
        #expect(store.batches == [["blocker"]], "none of them was committed")
        run.cancel()
        await run.value
    }

    @Test func theExpiryLoopStopsWithRun() async throws {
        let clock = MockClock()
        let store = ScriptedIngestStore()
        let (committer, run, blocker) = await self.blockedCommitter(clock: clock, store: store)

        let waiting = Task { try await committer.submit(self.record("waiting"), timeout: .seconds(5)) }
        await committer.waitUntilPending(atLeast: 1)
        await clock.nextTimerScheduled()
        #expect(clock.sleeperCount == 1)

        run.cancel()
        store.releaseStall()
        await run.value
        #expect(clock.sleeperCount == 0, "the expiry loop's timer ended with run()")
        #expect(try await blocker.value.outcome == .accepted(created: true, queued: true))
        #expect(await self.failure(of: waiting)?.message == "ingest is shutting down")
        let refused = Task { try await committer.submit(self.record("late"), timeout: .seconds(5)) }
        #expect(await self.failure(of: refused)?.message == "ingest is shutting down")
        #expect(clock.sleeperCount == 0)
    }
}
