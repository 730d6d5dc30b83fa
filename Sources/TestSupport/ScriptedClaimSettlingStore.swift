import Actors
import Foundation

/// A ``ScriptedDepositStore`` that also claims and settles in one transaction, as PostgreSQL
/// does: the worker's ``ClaimSettlingStore/claimAndSettle(owner:limit:claimed:)`` calls are
/// published on ``calls`` with the others, and answered with
/// ``ScriptedDepositStore/Call/settled(_:)-(SettledBatch)`` or failed.
public final class ScriptedClaimSettlingStore: ClaimSettlingStore {
    public let scripted = ScriptedDepositStore()
    public var calls: AsyncStream<ScriptedDepositStore.Call> { self.scripted.calls }
    public var backend: StoreBackend { .postgres }

    public init() {}

    public func finish() { self.scripted.finish() }

    public func claimAndSettle(owner: String, limit: Int, claimed: @Sendable ([ClaimedJob]) -> Void) async throws -> SettledBatch {
        try await self.scripted.claimAndSettle(owner: owner, limit: limit, claimed: claimed)
    }

    public func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        try await self.scripted.claimJobs(owner: owner, lease: lease, limit: limit)
    }
    public func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome] { try await self.scripted.processJobs(jobs) }
    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        try await self.scripted.failJob(job, reason: reason, retryAfter: retryAfter, maxAttempts: maxAttempts)
    }
    public func releaseLeases(ownedBy owner: String) async throws -> Int { try await self.scripted.releaseLeases(ownedBy: owner) }

    public func migrate() async throws -> [Int] { try await self.scripted.migrate() }
    public func ping() async throws { try await self.scripted.ping() }
    public func close() async {}
    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] {
        try await self.scripted.ingest(records, confirmationThreshold: confirmationThreshold)
    }
    public func createUser(username: String, telegramID: Int64?) async throws -> User { try await self.scripted.createUser(username: username, telegramID: telegramID) }
    public func wallet(userID: UUID) async throws -> Wallet? { try await self.scripted.wallet(userID: userID) }
    public func transaction(id: UUID) async throws -> TransactionStatus? { try await self.scripted.transaction(id: id) }
    public func assign(txID: UUID, userID: UUID) async throws { try await self.scripted.assign(txID: txID, userID: userID) }
    public func requeue(txID: UUID) async throws { try await self.scripted.requeue(txID: txID) }
    public func statistics() async throws -> StoreStatistics { try await self.scripted.statistics() }
    public func verify() async throws -> [InvariantViolation] { try await self.scripted.verify() }
}
