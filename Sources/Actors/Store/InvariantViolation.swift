/// One broken invariant, as `cricalgo verify` reports it.
public struct InvariantViolation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What each kind means: ``InvariantCatalogue/meaning(of:)``.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case creditedWithoutLedgerEntry = "credited_without_ledger_entry"
        case ledgerEntryWithoutCredit = "ledger_entry_without_credit"
        case balanceMismatch = "balance_mismatch"
        case expiredLease = "expired_lease"
        case queuedWithoutJob = "queued_without_job"
        case jobForSettledDeposit = "job_for_settled_deposit"
        case negativeBalance = "negative_balance"
        /// Rows whose tx_hash spellings are one transfer under the canonical form
        /// (``TransferIdentity/canonicalTxHash(_:)``): stored before ingest normalised them.
        case txHashCollision = "tx_hash_collision"
    }

    public var kind: Kind
    /// The record concerned (a tx_id or user_id; for ``Kind/txHashCollision`` every tx_id of
    /// the group, comma-separated, the earliest first).
    public var subject: String
    public var detail: String

    public init(kind: Kind, subject: String, detail: String) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(self.kind.rawValue) \(self.subject): \(self.detail)" }
}
