import Actors
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

/// The committer's wake-up hook hears how many ready deposits each committed transaction
/// queued: not pending ones, not repeats of stored transfers, nothing for a failed one.
@Suite(.timeLimit(.minutes(1))) struct GroupCommitterWakeUpTests {
    func record(_ hash: String, confirmations: Int64 = 12) -> DepositRecord {
        DepositRecord(txHash: hash, amount: try! Amount(parsing: "1"), confirmations: confirmations)
    }

    func committer(_ store: ScriptedIngestStore, _ wakeUps: WakeUpLog) -> GroupCommitter {
        GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1, wakeUp: wakeUps.hook), logger: .silent())
    }

    @Test func theHookHearsTheReadyDepositsACommitQueued() async throws {
        let store = ScriptedIngestStore()
        let wakeUps = WakeUpLog()
        _ = await submitTogether([self.record("stored-before")], to: self.committer(store, wakeUps))
        #expect(wakeUps.counts == [1])

        let records = [self.record("ready-1"), self.record("pending", confirmations: 3), self.record("ready-2"), self.record("stored-before")]
        let answers = await submitTogether(records, to: self.committer(store, wakeUps))

        #expect(answers.values.allSatisfy { $0.accepted != nil })
        #expect(store.batches.last?.count == 4, "one transaction")
        #expect(wakeUps.counts == [1, 2], "two became ready; the pending one and the repeat did not")
    }

    @Test func aCommitThatQueuedNothingWakesNoOne() async throws {
        let store = ScriptedIngestStore()
        let wakeUps = WakeUpLog()
        _ = await submitTogether([self.record("pending-1", confirmations: 1), self.record("pending-2", confirmations: 11)], to: self.committer(store, wakeUps))
        #expect(store.storedTxHashes == ["pending-1", "pending-2"])
        #expect(wakeUps.counts.isEmpty)
    }

    @Test func aFailedTransactionWakesNoOne() async throws {
        let store = ScriptedIngestStore()
        store.setUnavailable(true)
        let wakeUps = WakeUpLog()
        let answers = await submitTogether([self.record("a"), self.record("b")], to: self.committer(store, wakeUps))
        #expect(answers["a"]?.errorCode == .unavailable)
        #expect(wakeUps.counts.isEmpty)
    }

    @Test func aBatchRetriedOneByOneWakesOncePerQueuedRecord() async throws {
        let store = ScriptedIngestStore()
        store.refuse(txHash: "refused")
        let wakeUps = WakeUpLog()
        let records = [self.record("ok-1"), self.record("refused"), self.record("ok-2"), self.record("pending", confirmations: 2)]
        let answers = await submitTogether(records, to: self.committer(store, wakeUps))
        #expect(answers["refused"]?.errorCode == .invalidField)
        #expect(wakeUps.counts == [1, 1])
    }

    @Test func theServiceHookLeavesAtMostOnePermitPerWorker() async throws {
        let store = ScriptedIngestStore()
        let signal = JobSignal(maximumPermits: 8)
        let committer = GroupCommitter(
            store: store, configuration: .init(maximumConcurrentBatches: 1, wakeUp: .signal(signal, limit: 2)), logger: .silent()
        )
        _ = await submitTogether((1...5).map { self.record("ready-\($0)") }, to: committer)
        #expect(signal.permits == 2)
    }
}

/// The counts a committer's wake-up hook was called with, smallest first (records retried
/// one by one commit concurrently, in no fixed order).
final class WakeUpLog: Sendable {
    private let calls = Mutex<[Int]>([])

    var counts: [Int] { self.calls.withLock { $0.sorted() } }

    var hook: WorkerWakeUp {
        WorkerWakeUp { count in self.calls.withLock { $0.append(count) } }
    }
}
