import Actors
import Foundation
import Runtime
import TestSupport
import Testing

/// The worker's decisions, with every store outcome chosen by the test and time moved by
/// it: batch then one-by-one settlement, attempts charged only for the deposit's own
/// failures, backoff while the store is unreachable, leases released by the next
/// incarnation, and the idle wait on ``JobSignal``.
@Suite(.timeLimit(.minutes(1))) struct DepositWorkerTests {
    @Test func aFailedBatchIsSettledAgainOneJobAtATimeAndOnlyTheFailingJobIsCharged() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let (a, b, c) = (DepositWorkerHarness.job(), DepositWorkerHarness.job(), DepositWorkerHarness.job())
            try await calls.started().claimed([a, b, c])
            try await calls.next(expecting: .processJobs([a, b, c])).fail(with: depositBroken)
            // One transaction per job, in claim order.
            try await calls.next(expecting: .processJobs([a])).settled([a.txID: .credited])
            try await calls.next(expecting: .processJobs([b])).fail(with: depositBroken)
            let charge = try await calls.next(expecting: .failJob(b, retryAfter: .seconds(1), maxAttempts: 3))
            #expect(charge.reason?.contains("settlement failed") == true)
            charge.failed(state: .queued)
            try await calls.next(expecting: .processJobs([c])).settled([c.txID: .unmatched])
            await harness.wakeIdleWorker()
            _ = try await calls.next(expecting: .claim)

            let log = harness.log.snapshot
            #expect(log.outcomes == [a.txID: [.credited], c.txID: [.unmatched]])
            #expect(log.failures == [b.txID: [.queued]])
        }
    }

    @Test func aSettledBatchReportsEachJobsOutcome() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let (a, b) = (DepositWorkerHarness.job(), DepositWorkerHarness.job())
            try await calls.started().claimed([a, b])
            // b is missing from the answer: another worker holds it now.
            try await calls.next(expecting: .processJobs([a, b])).settled([a.txID: .credited])
            await harness.wakeIdleWorker()
            _ = try await calls.next(expecting: .claim)
            #expect(harness.log.snapshot.outcomes == [a.txID: [.credited], b.txID: [.leaseLost]])
        }
    }

    @Test func eachFailedAttemptIsChargedWithItsBackoffAndTheLastParksTheDepositAsDead() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let first = DepositWorkerHarness.job(0)
            var claim = try await calls.started()
            // Attempt n waits 1 s · 2^(n-1); the store counts and answers dead at maximumAttempts.
            for (attempt, state) in [(1, DepositState.queued), (2, .queued), (3, .dead)] {
                let job = ClaimedJob(txID: first.txID, leaseToken: UUID(), owner: first.owner, failedAttempts: attempt - 1)
                claim.claimed([job])
                try await calls.next(expecting: .processJobs([job])).fail(with: depositBroken)
                let retryAfter = Duration.seconds(1 << (attempt - 1))
                try await calls.next(expecting: .failJob(job, retryAfter: retryAfter, maxAttempts: 3)).failed(state: state)
                await harness.wakeIdleWorker()
                claim = try await calls.next(expecting: .claim)
            }
            #expect(harness.log.snapshot.failures == [first.txID: [.queued, .queued, .dead]])
            #expect(harness.log.snapshot.settled == [first.txID: .dead])
        }
    }

    @Test func anUnreachableStoreIsRetriedAfterItsBackoffAndNoLonger() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let release = ScriptedDepositStore.Request.releaseLeases(owner: DepositWorkerHarness.owner)
            // 100 ms, then 200 ms: the worker sleeps exactly the backoff on its clock.
            try await calls.next(expecting: release).fail(with: storeUnreachable)
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(100)))
            harness.clock.advance(by: .milliseconds(100))
            try await calls.next(expecting: release).fail(with: storeUnreachable)
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(300)))
            harness.clock.advance(by: .milliseconds(200))
            try await calls.next(expecting: release).released(0)

            // A success resets the count: the next failure waits the first delay again.
            try await calls.next(expecting: .claim).fail(with: storeUnreachable)
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(400)))
            #expect(harness.clock.sleeperCount == 1)
            harness.clock.advance(by: .milliseconds(100))
            _ = try await calls.next(expecting: .claim)
            #expect(harness.log.snapshot.failures.isEmpty)
        }
    }

    @Test func aStoreOutageDuringSettlementDefersTheJobsUnchargedAndBacksOff() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let (a, b) = (DepositWorkerHarness.job(), DepositWorkerHarness.job())
            try await calls.started().claimed([a, b])
            try await calls.next(expecting: .processJobs([a, b])).fail(with: storeUnreachable)
            // The leases go back at once (any worker may take the jobs) and nothing is charged.
            try await calls.next(expecting: .releaseLeases(owner: DepositWorkerHarness.owner)).released(2)
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(100)))
            #expect(harness.signal.permits == 1, "the released jobs wake a worker")
            harness.clock.advance(by: .milliseconds(100))
            _ = try await calls.next(expecting: .claim)
            #expect(harness.log.snapshot.failures.isEmpty)
            #expect(harness.log.snapshot.outcomes.isEmpty)
        }
    }

    @Test func theNextIncarnationReleasesTheLeasesOfAWorkerKilledMidJob() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let job = DepositWorkerHarness.job()
            try await calls.started().claimed([job])
            let settling = try await calls.next(expecting: .processJobs([job]))
            #expect(await harness.supervisor.kill("worker-1"))
            // The killed incarnation's transaction is gone; the next one frees its lease first.
            let release = try await calls.next(expecting: .releaseLeases(owner: DepositWorkerHarness.owner))
            settling.settled([job.txID: .credited])  // too late: ignored
            release.released(1)
            _ = try await calls.next(expecting: .claim)
            #expect(harness.signal.permits == 1, "the freed job wakes a worker")
            #expect(harness.log.snapshot.outcomes.isEmpty)
            #expect(harness.log.snapshot.failures.isEmpty)
        }
    }

    @Test func aStopRequestLetsTheJobInHandFinishAndClaimsNothingMore() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let job = DepositWorkerHarness.job()
            try await calls.started().claimed([job])
            let settling = try await calls.next(expecting: .processJobs([job]))
            var events = harness.supervisor.events().makeAsyncIterator()
            await harness.supervisor.shutdown()
            settling.settled([job.txID: .credited])
            while let event = await events.next(), event != .childExited(child: "worker-1", reason: "normal") {}
            // The worker returned: whatever it called after the stop request is in the stream.
            harness.store.finish()
            #expect(await calls.next() == nil, "a store call after the stop request")
            #expect(harness.log.snapshot.outcomes == [job.txID: [.credited]])
        }
    }

    @Test func aClaimThatTookEveryDueJobIsNotFollowedByAnotherUntilAWakeUpOrThePoll() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let job = DepositWorkerHarness.job()
            try await calls.started().claimed([job])
            try await calls.next(expecting: .processJobs([job])).settled([job.txID: .credited])
            // Short of the limit: the queue had no other due job. The worker waits on the
            // signal and its poll timer instead of claiming at once.
            await harness.signal.waitUntilWaiting(atLeast: 1)
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.seconds(2)))
            harness.clock.advance(by: .seconds(2))
            try await calls.next(expecting: .claim).claimed([])
            #expect(harness.log.snapshot.outcomes == [job.txID: [.credited]])
        }
    }

    @Test func aJobQueuedDuringABatchIsClaimedRightAfterIt() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            let job = DepositWorkerHarness.job()
            try await calls.started().claimed([job])
            let settling = try await calls.next(expecting: .processJobs([job]))
            // A job queued while the worker settles: no worker waits, so a permit is left.
            harness.signal.notify()
            #expect(harness.signal.permits == 1)
            settling.settled([job.txID: .credited])
            // The permit ends the idle wait at once: the next claim comes with no time passing.
            _ = try await calls.next(expecting: .claim)
            #expect(harness.clock.now == MockClock.Instant(.zero))
            #expect(harness.signal.permits == 0)
        }
    }

    @Test func anIdleWorkerWakesOnTheSignalOrAfterItsPollInterval() async throws {
        try await DepositWorkerHarness.run { harness, calls in
            try await calls.started().claimed([])
            // Woken by the signal, before any time passed.
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.seconds(2)))
            await harness.signal.waitUntilWaiting(atLeast: 1)
            harness.signal.notify()
            try await calls.next(expecting: .claim).claimed([])
            #expect(harness.clock.now == MockClock.Instant(.zero))
            // No signal: it looks again once the poll interval has passed.
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.seconds(2)))
            harness.clock.advance(by: .seconds(2))
            _ = try await calls.next(expecting: .claim)
            #expect(harness.signal.waiting == 0)
        }
    }
}
