import Actors
import Foundation
import TestSupport
import Testing

/// The claim limit follows the backlog: a full claim is followed by a larger one at once, a
/// short claim by the normal batch size again once the worker is woken.
@Suite(.timeLimit(.minutes(1))) struct DepositWorkerBacklogTests {
    static let configuration = DepositWorker.Configuration(
        lease: .seconds(15), maximumAttempts: 3, pollInterval: .seconds(2), batchSize: 2, backlogBatchSize: 5
    )

    static func claim(_ limit: Int) -> ScriptedDepositStore.Request {
        .claimJobs(owner: DepositWorkerHarness.owner, lease: .seconds(15), limit: limit)
    }

    @Test func aFullClaimIsFollowedByABacklogClaimAndAShortOneByTheNormalSize() async throws {
        try await DepositWorkerHarness.run(configuration: Self.configuration) { harness, calls in
            try await calls.next(expecting: .releaseLeases(owner: DepositWorkerHarness.owner)).released(0)
            let full = [DepositWorkerHarness.job(), DepositWorkerHarness.job()]
            try await calls.next(expecting: Self.claim(2)).claimed(full)
            try await calls.next(expecting: .processJobs(full)).settled(Dictionary(uniqueKeysWithValues: full.map { ($0.txID, .credited) }))
            // The backlog claim comes back full too: the next one stays large.
            let backlog = (0..<5).map { _ in DepositWorkerHarness.job() }
            try await calls.next(expecting: Self.claim(5)).claimed(backlog)
            try await calls.next(expecting: .processJobs(backlog)).settled(Dictionary(uniqueKeysWithValues: backlog.map { ($0.txID, .credited) }))
            // Then a short one: back to the normal size.
            let last = DepositWorkerHarness.job()
            try await calls.next(expecting: Self.claim(5)).claimed([last])
            try await calls.next(expecting: .processJobs([last])).settled([last.txID: .credited])
            await harness.wakeIdleWorker()
            _ = try await calls.next(expecting: Self.claim(2))
        }
    }

    @Test func theBacklogSizeIsNeverBelowTheBatchSize() {
        #expect(DepositWorker.Configuration(batchSize: 64, backlogBatchSize: 8).backlogBatchSize == 64)
        #expect(DepositWorker.Configuration().batchSize == 32)
        #expect(DepositWorker.Configuration().backlogBatchSize == 128)
    }
}
