import Actors
import Foundation
import TestSupport

/// A ``SettlementLog`` (what workers did with each job) whose waits can be cancelled, so a
/// chaos run that never settles fails with a report instead of hanging.
final class SettlementWatch: WorkerObserver {
    let log = SettlementLog()
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    init() {
        (self.changes, self.changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func jobProcessed(txID: UUID, outcome: JobOutcome, worker: String) {
        self.log.jobProcessed(txID: txID, outcome: outcome, worker: worker)
        self.changed.yield()
    }

    func jobFailed(txID: UUID, state: DepositState?, worker: String) {
        self.log.jobFailed(txID: txID, state: state, worker: worker)
        self.changed.yield()
    }

    /// Returns once every deposit in `txIDs` was settled by a worker, or its last attempt
    /// failed after its commit (the job was already gone: the worker never learns the
    /// outcome). Throws `CancellationError` when cancelled first. One waiter at a time.
    func waitUntilSettled(_ txIDs: Set<UUID>) async throws {
        while !Self.allSettled(txIDs, in: self.log.snapshot) {
            var iterator = self.changes.makeAsyncIterator()
            guard await iterator.next() != nil else { throw CancellationError() }
        }
    }

    /// Deposits in `txIDs` not settled yet, for failure messages.
    func unsettled(_ txIDs: Set<UUID>) -> Set<UUID> {
        let state = self.log.snapshot
        return txIDs.filter { !Self.allSettled([$0], in: state) }
    }

    private static func allSettled(_ txIDs: Set<UUID>, in state: SettlementLog.State) -> Bool {
        let settled = state.settled
        return txIDs.allSatisfy { settled[$0] != nil || state.failures[$0]?.contains(nil) == true }
    }
}
