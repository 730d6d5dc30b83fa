import Foundation

public struct ClaimedJob: Sendable, Hashable {
    public var txID: UUID
    /// Proof of ownership: the store commits work on this job only while it still carries it.
    public var leaseToken: UUID
    public var owner: String
    /// Failed attempts before this claim.
    public var failedAttempts: Int

    public init(txID: UUID, leaseToken: UUID, owner: String, failedAttempts: Int) {
        self.txID = txID
        self.leaseToken = leaseToken
        self.owner = owner
        self.failedAttempts = failedAttempts
    }
}
