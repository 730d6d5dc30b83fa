import Foundation
import Logging

extension GroupCommitter {
    /// Commits `records` (distinct transfers) in one transaction; returns one result per record.
    ///
    /// When the store refuses the batch for its data (``StoreFailureKind/data``: one record
    /// holds a value the database cannot store), the records are committed again one by one,
    /// so only the offender fails, with ``ServiceError/Code/invalidField``. Any other failure
    /// fails every record with ``ServiceError/Code/unavailable``.
    ///
    /// A deadlock or serialization failure (the store's ``ServiceError/Code/unavailable``
    /// carrying a ``StoreTransientConflict``) says nothing about the records: the batch is committed
    /// again up to ``Configuration/conflictRetries`` times, after ``Configuration/conflictBackoff``
    /// on the committer's clock.
    func ingest(_ records: [DepositRecord]) async -> [Result<IngestResult, any Error>] {
        let started = ContinuousClock.now
        var error: any Error
        var attempt = 0
        var generator = SystemRandomNumberGenerator()
        while true {
            do {
                let results = try await self.store.ingest(records, confirmationThreshold: self.configuration.confirmationThreshold)
                let queued = results.count { if case .accepted(_, true) = $0.outcome { true } else { false } }
                self.observer?.batchCommitted(size: records.count, queued: queued, duration: started.duration(to: .now))
                self.configuration.wakeUp(readyCommitted: queued)
                return results.map { .success($0) }
            } catch let caught {
                error = caught
            }
            guard Self.isTransientConflict(error), attempt < self.configuration.conflictRetries, !Task.isCancelled else { break }
            attempt += 1
            self.observer?.batchConflictRetried(size: records.count, attempt: attempt)
            self.logger.warning("ingest_batch_conflict_retry", metadata: ["batch.size": "\(records.count)", "attempt": "\(attempt)", "error": "\(error)"])
            do {
                try await self.clock.sleep(for: self.configuration.conflictBackoff.delay(attempt: attempt, using: &generator))
            } catch {
                break
            }
        }
        guard StoreFailureKind(error) == .data else {
            self.observer?.batchFailed(size: records.count, error: error)
            self.logger.error("ingest_batch_failed", metadata: ["batch.size": "\(records.count)", "error": "\(error)"])
            let failure = ServiceError(.unavailable, "the store did not commit the webhook", underlying: error)
            return records.map { _ in .failure(failure) }
        }
        guard records.count > 1 else {
            self.observer?.batchFailed(size: records.count, error: error)
            self.logger.warning("ingest_record_refused", metadata: ["error": "\(error)"])
            return [.failure(Self.refusal(error))]
        }
        self.logger.warning("ingest_batch_refused_data", metadata: ["batch.size": "\(records.count)", "error": "\(error)"])
        let results = await self.ingestOneByOne(records)
        let refused = results.count { if case .failure(let error) = $0 { StoreFailureKind(error) == .data } else { false } }
        self.observer?.batchRetriedOneByOne(size: records.count, refused: refused)
        return results.map { result in result.mapError { StoreFailureKind($0) == .data ? Self.refusal($0) : $0 } }
    }

    /// Commits each record in a transaction of its own, at most
    /// ``Configuration/maximumConcurrentRetries`` at a time.
    private func ingestOneByOne(_ records: [DepositRecord]) async -> [Result<IngestResult, any Error>] {
        let threshold = self.configuration.confirmationThreshold
        let store = self.store
        return await withTaskGroup(of: (Int, Result<IngestResult, any Error>).self) { group in
            var results = [Result<IngestResult, any Error>?](repeating: nil, count: records.count)
            var next = 0
            func startNext() {
                guard next < records.count else { return }
                let index = next
                let record = records[index]
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await store.ingest([record], confirmationThreshold: threshold)[0]))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            for _ in 0..<self.configuration.maximumConcurrentRetries { startNext() }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let result):
                    let queued = if case .accepted(_, true) = result.outcome { 1 } else { 0 }
                    self.observer?.batchCommitted(size: 1, queued: queued, duration: .zero)
                    self.configuration.wakeUp(readyCommitted: queued)
                    results[index] = .success(result)
                case .failure(let error) where StoreFailureKind(error) == .data:
                    results[index] = .failure(error)
                case .failure(let error):
                    self.logger.error("ingest_retry_failed", metadata: ["error": "\(error)"])
                    results[index] = .failure(ServiceError(.unavailable, "the store did not commit the webhook", underlying: error))
                }
                startNext()
            }
            return results.map { $0! }
        }
    }

    /// A deadlock or serialization failure: the database gave up on the transaction because
    /// of concurrent ones, and the same statements can succeed at once when run again.
    static func isTransientConflict(_ error: any Error) -> Bool {
        guard let error = error as? ServiceError, error.code == .unavailable else { return false }
        return error.underlying is StoreTransientConflict
    }

    /// The answer for a webhook whose values the store refused (HTTP 422).
    private static func refusal(_ error: any Error) -> ServiceError {
        let reason = ((error as? ServiceError)?.underlying as? StoreDataRefusal)?.reason ?? "unknown reason"
        return ServiceError(.invalidField, "the store refused this webhook's data (\(reason))", underlying: error)
    }
}
