import Foundation

/// A store that can claim jobs and settle them in the same transaction, so a credited
/// deposit costs one commit (one WAL flush on PostgreSQL) instead of a lease commit and a
/// settlement commit.
///
/// No lease is written: the claimed job rows stay locked until the commit, which is what
/// keeps other claimers (they skip locked rows) and a second settlement away. If the
/// transaction fails or its worker dies, the locks go with it and the jobs are due again at
/// once, uncharged. A caller whose settlement failed for the deposits' own reasons takes the
/// lease path (``DepositStore/claimJobs(owner:lease:limit:)`` then
/// ``DepositStore/processJobs(_:)``, job by job if need be), so only a deposit that fails by
/// itself is charged an attempt.
public protocol ClaimSettlingStore: DepositStore {
    /// Locks up to `limit` due jobs whose lease is free (oldest first, skipping jobs other
    /// transactions hold), calls `claimed` with them, and settles them in the same transaction
    /// as ``DepositStore/processJobs(_:)`` would. Returns the jobs (each with a fresh token no
    /// row carries) and their outcomes; no jobs when none was due.
    func claimAndSettle(owner: String, limit: Int, claimed: @Sendable ([ClaimedJob]) -> Void) async throws -> SettledBatch
}
