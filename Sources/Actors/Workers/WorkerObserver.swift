import Foundation

/// Hears what workers do with each job (tests wait on it instead of polling).
public protocol WorkerObserver: Sendable {
    /// A job was processed: credited, unmatched, failed (on chain, or at the balance
    /// ceiling), already final, or its lease was lost.
    func jobProcessed(txID: UUID, outcome: JobOutcome, worker: String)
    /// An attempt failed and was rolled back; `state` is `.queued` (retry scheduled), `.dead`
    /// (the last attempt), or nil when the failure could not be recorded (the lease was lost,
    /// or the store could not be reached).
    func jobFailed(txID: UUID, state: DepositState?, worker: String)
}

extension WorkerObserver {
    public func jobProcessed(txID: UUID, outcome: JobOutcome, worker: String) {}
    public func jobFailed(txID: UUID, state: DepositState?, worker: String) {}
}
