import Actors
import Foundation
import Logging
import TestSupport
import Testing

/// A batch the store refuses for one record's values must not fail the others.
@Suite(.timeLimit(.minutes(1))) struct GroupCommitterRefusalTests {
    let logger = Logger.silent("test-committer")

    func records(_ hashes: [String]) -> [DepositRecord] {
        hashes.map { DepositRecord(txHash: $0, amount: try! Amount(parsing: "1"), confirmations: 12) }
    }

    @Test func aRecordTheStoreRefusesFailsAloneAndTheOthersCommit() async throws {
        let store = ScriptedIngestStore()
        store.refuse(txHash: "refused")
        let observer = RecordingIngestObserver()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), observer: observer, logger: self.logger)
        let hashes = ["ok-1", "refused", "ok-2", "ok-3"]

        let answers = await submitTogether(self.records(hashes), to: committer)

        for hash in ["ok-1", "ok-2", "ok-3"] {
            let result = try #require(answers[hash]?.accepted, "\(hash) was not accepted")
            #expect(result.outcome == .accepted(created: true, queued: true))
        }
        #expect(answers["refused"]?.errorCode == .invalidField)
        #expect(answers["refused"]?.errorMessage == "the store refused this webhook's data (SQLSTATE 22021)")
        #expect(store.storedTxHashes == ["ok-1", "ok-2", "ok-3"])
        // One shared transaction, refused; then one transaction per record.
        let batches = store.batches
        #expect(batches.first == hashes)
        #expect(batches.dropFirst().count == 4)
        #expect(Set(batches.dropFirst()) == Set(hashes.map { [$0] }))
        let events = observer.events
        #expect(events.retried.count == 1)
        #expect(events.retried.first?.size == 4 && events.retried.first?.refused == 1)
        #expect(events.committed.sorted() == [1, 1, 1])
    }

    @Test func anUnavailableStoreStillFailsEveryRecordWithoutARetry() async throws {
        let store = ScriptedIngestStore()
        store.refuse(txHash: "refused")
        store.setUnavailable(true)
        let observer = RecordingIngestObserver()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), observer: observer, logger: self.logger)
        let hashes = ["ok-1", "refused", "ok-2"]

        let answers = await submitTogether(self.records(hashes), to: committer)

        for hash in hashes {
            #expect(answers[hash]?.errorCode == .unavailable, "\(hash)")
        }
        #expect(store.batches == [hashes])
        #expect(observer.events.failed == [3])
        #expect(observer.events.retried.isEmpty)
    }

    @Test func aLoneRefusedRecordIsRefusedWithoutARetry() async throws {
        let store = ScriptedIngestStore()
        store.refuse(txHash: "refused")
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), logger: self.logger)

        let answers = await submitTogether(self.records(["refused"]), to: committer)

        #expect(answers["refused"]?.errorCode == .invalidField)
        #expect(store.batches == [["refused"]])
    }

    @Test func repeatsOfAnAcceptedTransferShareItsAnswerWhenTheBatchIsRetried() async throws {
        let store = ScriptedIngestStore()
        store.refuse(txHash: "refused")
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), logger: self.logger)
        var records = self.records(["ok", "refused"])
        var repeatOfOK = records[0]
        repeatOfOK.confirmations = 20
        var repeatOfRefused = records[1]
        repeatOfRefused.confirmations = 20
        records += [repeatOfOK, repeatOfRefused]

        let answers = await withTaskGroup(of: (Int, Result<IngestResult, any Error>)?.self) { group in
            for (index, record) in records.enumerated() {
                group.addTask {
                    do { return (index, .success(try await committer.submit(record))) } catch { return (index, .failure(error)) }
                }
                await committer.waitUntilPending(atLeast: index + 1)  // queued in this order
            }
            group.addTask {
                await committer.run()
                return nil
            }
            var answers: [Int: Result<IngestResult, any Error>] = [:]
            for await case let (index, answer)? in group {
                answers[index] = answer
                if answers.count == records.count { group.cancelAll() }
            }
            return answers
        }

        let first = try #require(answers[0]?.accepted)
        let second = try #require(answers[2]?.accepted)
        #expect(first.txID == second.txID)
        #expect(first.outcome == .accepted(created: true, queued: true))
        #expect(second.outcome == .accepted(created: false, queued: true))
        #expect(answers[1]?.errorCode == .invalidField)
        #expect(answers[3]?.errorCode == .invalidField)
        #expect(store.batches.first == ["ok", "refused"])
    }
}
