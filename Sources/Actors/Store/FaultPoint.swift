/// Places in ingest and processing where tests make the system fail on purpose.
public enum FaultPoint: String, Sendable, Hashable, CaseIterable {
    /// Ingest: after the upsert ran, before the transaction commits.
    case ingestBeforeCommit = "ingest_before_commit"
    /// Processing: the job is claimed (lease committed), nothing else done.
    case afterClaim = "after_claim"
    /// Processing: the ledger entry is inserted, the wallet not yet updated.
    case afterLedgerInsert = "after_ledger_insert"
    /// Processing: every write done, the transaction not yet committed.
    case beforeCommit = "before_commit"
    /// Processing: committed (the job row is already gone with it), the worker not yet told.
    case afterCommit = "after_commit"
}
