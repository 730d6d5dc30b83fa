import Actors
import Foundation
import Logging
import TestSupport
import Testing

/// The committer's queue is bounded, a cancelled waiter leaves nothing behind, a deadlock is
/// retried rather than answered 503, and a committer serves one run only.
@Suite(.timeLimit(.minutes(1))) struct GroupCommitterQueueTests {
    let logger = Logger.silent("test-committer")

    func record(_ hash: String) -> DepositRecord {
        DepositRecord(txHash: hash, amount: try! Amount(parsing: "1"), confirmations: 12)
    }

    @Test func aSubmissionBeyondTheBoundFailsAtOnceWithQueueFull() async throws {
        let store = ScriptedIngestStore()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1, maximumPending: 2), logger: self.logger)
        let answers = await withTaskGroup(of: (String, Result<IngestResult, any Error>).self) { group in
            for hash in ["first", "second"] {
                group.addTask {
                    do { return (hash, .success(try await committer.submit(self.record(hash)))) } catch { return (hash, .failure(error)) }
                }
            }
            await committer.waitUntilPending(atLeast: 2)
            // The flush loop is not running: the third submission can only fail at once.
            do {
                _ = try await committer.submit(self.record("third"))
                Issue.record("a submission beyond the bound was queued")
            } catch let error as ServiceError {
                #expect(error.code == .unavailable)
                #expect(error.underlying is GroupCommitter.QueueFull)
            } catch {
                Issue.record("unexpected error \(error)")
            }
            group.addTask {
                await committer.run()
                return ("", .failure(CancellationError()))
            }
            var answers: [String: Result<IngestResult, any Error>] = [:]
            for await (hash, answer) in group where !hash.isEmpty {
                answers[hash] = answer
                if answers.count == 2 { group.cancelAll() }
            }
            return answers
        }
        #expect(answers["first"]?.accepted != nil)
        #expect(answers["second"]?.accepted != nil)
        #expect(store.storedTxHashes == ["first", "second"])
    }

    @Test func cancelledWaitersAreNotCommittedAndFreeTheirPlaceAtOnce() async throws {
        let store = ScriptedIngestStore()
        let limit = 500
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1, maximumPending: limit), logger: self.logger)
        // Fill the queue, then cancel every waiter.
        let cancelled = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<limit {
                group.addTask {
                    do {
                        _ = try await committer.submit(self.record("cancelled-\(index)"))
                        return false
                    } catch {
                        return error is CancellationError
                    }
                }
            }
            await committer.waitUntilPending(atLeast: limit)
            group.cancelAll()
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(cancelled == limit)
        #expect(committer.pendingCount == 0)
        // A full queue's worth of new webhooks is taken: the cancelled ones hold no place.
        let fresh = (0..<limit).map { self.record("fresh-\($0)") }
        let answers = await submitTogether(fresh, to: committer)
        #expect(answers.values.allSatisfy { $0.accepted != nil })
        #expect(store.storedTxHashes == Set(fresh.map(\.txHash)))
        #expect(store.batches.joined().allSatisfy { $0.hasPrefix("fresh-") })
    }

    @Test func aBatchThatMeetsADeadlockIsCommittedAgainAndEveryWebhookAccepted() async throws {
        let store = ScriptedIngestStore()
        store.failWithDeadlock(times: 1)
        let observer = RecordingIngestObserver()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1), observer: observer, logger: self.logger)
        let hashes = ["a", "b", "c"]

        let answers = await submitTogether(hashes.map(self.record), to: committer)

        for hash in hashes {
            #expect(answers[hash]?.accepted?.outcome == .accepted(created: true, queued: true), "\(hash)")
        }
        #expect(store.batches == [hashes, hashes])
        #expect(store.storedTxHashes == Set(hashes))
        #expect(observer.events.failed.isEmpty)
    }

    @Test func retriesAreBoundedAndThenEveryWebhookFails() async throws {
        let store = ScriptedIngestStore()
        store.failWithDeadlock(times: 100)
        let observer = RecordingIngestObserver()
        let committer = GroupCommitter(
            store: store, configuration: .init(maximumConcurrentBatches: 1, conflictRetries: 2), observer: observer, logger: self.logger
        )

        let answers = await submitTogether([self.record("x"), self.record("y")], to: committer)

        #expect(answers["x"]?.errorCode == .unavailable)
        #expect(answers["y"]?.errorCode == .unavailable)
        #expect(store.batches.count == 3, "one commit and two retries")
        #expect(observer.events.failed == [2])
    }

    @Test func aStoppedCommitterRefusesWorkForGood() async throws {
        let store = ScriptedIngestStore()
        let committer = GroupCommitter(store: store, logger: self.logger)
        #expect(!committer.isRunning)
        let run = Task { await committer.run() }
        run.cancel()
        await run.value
        #expect(!committer.isRunning)
        await committer.run()  // a second run returns at once
        await #expect(throws: ServiceError(.unavailable, "")) { try await committer.submit(self.record("late")) }
        #expect(store.batches.isEmpty)
    }

    @Test func aBatchInFlightHoldsNoPlaceInTheQueue() async throws {
        let store = ScriptedIngestStore()
        store.stallIngest()
        let committer = GroupCommitter(store: store, configuration: .init(maximumConcurrentBatches: 1, maximumPending: 2), logger: self.logger)
        let inFlight = ["a", "b"].map { hash in Task { try await committer.submit(self.record(hash)) } }
        await committer.waitUntilPending(atLeast: 2)
        let run = Task { await committer.run() }
        await store.waitUntilStalled()
        // a and b are in the store's hands: their places are free again.
        #expect(committer.pendingCount == 0)
        let queued = ["c", "d"].map { hash in Task { try await committer.submit(self.record(hash)) } }
        await committer.waitUntilPending(atLeast: 2)
        #expect(store.calls["ingest"] == 1)

        await #expect(throws: ServiceError(.unavailable, "")) { try await committer.submit(self.record("e")) }

        store.releaseStall()
        for task in inFlight + queued {
            #expect(try await task.value.outcome == .accepted(created: true, queued: true))
        }
        #expect(store.storedTxHashes == ["a", "b", "c", "d"])
        #expect(store.batches.map(Set.init) == [["a", "b"], ["c", "d"]])
        run.cancel()
        await run.value
    }
}
