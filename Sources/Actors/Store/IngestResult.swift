import Foundation

public struct IngestResult: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// Stored: `created` for a first sighting, `queued` when this batch created its job.
        case accepted(created: Bool, queued: Bool)
        /// A repeat that contradicts the stored transfer; nothing changed.
        case conflict(reason: String)
    }

    public var txID: UUID
    public var outcome: Outcome

    public init(txID: UUID, outcome: Outcome) {
        self.txID = txID
        self.outcome = outcome
    }
}
