import Actors
import Foundation
import Logging
import Synchronization

/// Submits `records` so that they all wait in the queue, in this order, before the flush loop
/// starts (so the first batch holds them all, in this order), runs the loop until each has its
/// answer, and returns the answers by tx_hash.
func submitTogether(_ records: [DepositRecord], to committer: GroupCommitter) async -> [String: Result<IngestResult, any Error>] {
    await withTaskGroup(of: (String, Result<IngestResult, any Error>)?.self) { group in
        for (index, record) in records.enumerated() {
            group.addTask {
                do {
                    return (record.txHash, .success(try await committer.submit(record)))
                } catch {
                    return (record.txHash, .failure(error))
                }
            }
            await committer.waitUntilPending(atLeast: index + 1)
        }
        group.addTask {
            await committer.run()
            return nil
        }
        var answers: [String: Result<IngestResult, any Error>] = [:]
        for await case let (hash, answer)? in group {
            answers[hash] = answer
            if answers.count == records.count { group.cancelAll() }
        }
        return answers
    }
}

extension Result where Success == IngestResult, Failure == any Error {
    /// The service error code of a failure, nil for a success.
    var errorCode: ServiceError.Code? {
        guard case .failure(let error) = self else { return nil }
        return (error as? ServiceError)?.code
    }

    var errorMessage: String? {
        guard case .failure(let error) = self else { return nil }
        return (error as? ServiceError)?.message
    }

    var accepted: IngestResult? {
        guard case .success(let result) = self, case .accepted = result.outcome else { return nil }
        return result
    }
}

/// Records what the committer reports.
final class RecordingIngestObserver: GroupCommitter.Observer {
    struct Events: Sendable {
        var committed: [Int] = []
        var failed: [Int] = []
        var retried: [(size: Int, refused: Int)] = []
    }

    private let state = Mutex(Events())

    var events: Events { self.state.withLock { $0 } }

    func batchCommitted(size: Int, queued: Int, duration: Duration) {
        self.state.withLock { $0.committed.append(size) }
    }

    func batchFailed(size: Int, error: any Error) {
        self.state.withLock { $0.failed.append(size) }
    }

    func batchRetriedOneByOne(size: Int, refused: Int) {
        self.state.withLock { $0.retried.append((size, refused)) }
    }
}
