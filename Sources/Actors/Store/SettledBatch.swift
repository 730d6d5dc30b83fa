import Foundation

/// What ``ClaimSettlingStore/claimAndSettle(owner:limit:claimed:)`` claimed and settled.
public struct SettledBatch: Sendable {
    /// The jobs claimed, oldest due first.
    public var jobs: [ClaimedJob]
    /// What each deposit became.
    public var outcomes: [UUID: JobOutcome]

    public init(jobs: [ClaimedJob], outcomes: [UUID: JobOutcome]) {
        self.jobs = jobs
        self.outcomes = outcomes
    }
}
