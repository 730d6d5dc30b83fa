import Actors
import Foundation
import Runtime
import TestSupport
import Testing

/// The worker on a store that claims and settles in one transaction (PostgreSQL): one call
/// per batch, the claim limit following the backlog, an idle wait after a short batch, the
/// lease path for the round after a batch that failed for its deposits, and no charge when
/// the store is unreachable.
@Suite(.timeLimit(.minutes(1))) struct DepositWorkerClaimSettlingTests {
    static func settle(_ limit: Int = 32) -> ScriptedDepositStore.Request {
        .claimAndSettle(owner: DepositWorkerHarness.owner, limit: limit)
    }

    static func started(_ calls: inout AsyncStream<ScriptedDepositStore.Call>.Iterator, limit: Int = 32) async throws -> ScriptedDepositStore.Call {
        try await calls.next(expecting: .releaseLeases(owner: DepositWorkerHarness.owner)).released(0)
        return try await calls.next(expecting: Self.settle(limit))
    }

    static func credited(_ jobs: [ClaimedJob]) -> SettledBatch {
        SettledBatch(jobs: jobs, outcomes: Dictionary(uniqueKeysWithValues: jobs.map { ($0.txID, .credited) }))
    }

    @Test func aBatchIsClaimedAndSettledInOneCallAndAShortOneIsFollowedByAnIdleWait() async throws {
        try await DepositWorkerHarness.run(claimSettling: true) { harness, calls in
            let (a, b) = (DepositWorkerHarness.job(), DepositWorkerHarness.job())
            // b is missing from the outcomes: reported as lost, like a lease-path batch.
            try await Self.started(&calls).settled(SettledBatch(jobs: [a, b], outcomes: [a.txID: .credited]))
            await harness.signal.waitUntilWaiting(atLeast: 1)
            #expect(harness.log.snapshot.outcomes == [a.txID: [.credited], b.txID: [.leaseLost]])
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.seconds(2)))
            harness.signal.notify()
            try await calls.next(expecting: Self.settle()).settled(SettledBatch(jobs: [], outcomes: [:]))
            // Nothing due: idle again until the poll.
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.seconds(2)))
            harness.clock.advance(by: .seconds(2))
            _ = try await calls.next(expecting: Self.settle())
            #expect(harness.log.snapshot.failures.isEmpty)
        }
    }

    @Test func aFullBatchIsFollowedAtOnceByABacklogSizedOne() async throws {
        let configuration = DepositWorker.Configuration(lease: .seconds(15), maximumAttempts: 3, pollInterval: .seconds(2), batchSize: 2, backlogBatchSize: 5)
        try await DepositWorkerHarness.run(configuration: configuration, claimSettling: true) { harness, calls in
            let full = [DepositWorkerHarness.job(), DepositWorkerHarness.job()]
            try await Self.started(&calls, limit: 2).settled(Self.credited(full))
            let backlog = (0..<5).map { _ in DepositWorkerHarness.job() }
            try await calls.next(expecting: Self.settle(5)).settled(Self.credited(backlog))
            let last = DepositWorkerHarness.job()
            try await calls.next(expecting: Self.settle(5)).settled(Self.credited([last]))
            await harness.wakeIdleWorker()
            _ = try await calls.next(expecting: Self.settle(2))
            #expect(harness.clock.now == MockClock.Instant(.zero))
            #expect(harness.log.snapshot.outcomes.count == 8)
        }
    }

    @Test func aBatchThatFailedForItsDepositsIsSettledAgainOnTheLeasePathChargingOnlyTheFailingJob() async throws {
        try await DepositWorkerHarness.run(claimSettling: true) { harness, calls in
            let (a, b) = (DepositWorkerHarness.job(), DepositWorkerHarness.job())
            // Rolled back: nothing charged, and the next round claims with a lease.
            try await Self.started(&calls).fail(with: depositBroken)
            try await calls.next(expecting: .claim).claimed([a, b])
            try await calls.next(expecting: .processJobs([a, b])).fail(with: depositBroken)
            try await calls.next(expecting: .processJobs([a])).settled([a.txID: .credited])
            try await calls.next(expecting: .processJobs([b])).fail(with: depositBroken)
            try await calls.next(expecting: .failJob(b, retryAfter: .seconds(1), maxAttempts: 3)).failed(state: .queued)
            // Back to one transaction per batch once woken.
            await harness.wakeIdleWorker()
            _ = try await calls.next(expecting: Self.settle())
            #expect(harness.log.snapshot.outcomes == [a.txID: [.credited]])
            #expect(harness.log.snapshot.failures == [b.txID: [.queued]])
        }
    }

    @Test func anUnreachableStoreChargesNothingAndIsRetriedAfterItsBackoff() async throws {
        try await DepositWorkerHarness.run(claimSettling: true) { harness, calls in
            try await Self.started(&calls).fail(with: storeUnreachable)
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(100)))
            harness.clock.advance(by: .milliseconds(100))
            try await calls.next(expecting: Self.settle()).fail(with: storeUnreachable)
            #expect(await harness.clock.nextTimerScheduled() == MockClock.Instant(.milliseconds(300)))
            harness.clock.advance(by: .milliseconds(200))
            let job = DepositWorkerHarness.job()
            try await calls.next(expecting: Self.settle()).settled(Self.credited([job]))
            await harness.signal.waitUntilWaiting(atLeast: 1)
            #expect(harness.log.snapshot.outcomes == [job.txID: [.credited]])
            #expect(harness.log.snapshot.failures.isEmpty)
        }
    }
}
