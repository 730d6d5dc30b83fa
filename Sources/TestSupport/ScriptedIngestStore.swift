import Actors
import Foundation
import Synchronization

/// An in-memory store for group-commit tests: ingest succeeds unless the test decided
/// otherwise, and every call is recorded. The test marks transfers whose values the store
/// "cannot hold" (any batch containing one fails as a database would, with a data error),
/// or makes the whole store unavailable. Only ingest is supported.
public final class ScriptedIngestStore: DepositStore {
    private struct State {
        var refused: Set<String> = []
        var unavailable = false
        var stored: [DepositRecord.Key: UUID] = [:]
        var batches: [[String]] = []
    }

    public let backend = StoreBackend.sqlite
    private let state = Mutex(State())

    public init() {}

    /// Every batch containing a record with this tx_hash fails with a data error
    /// (as PostgreSQL refusing a NUL in text, SQLSTATE 22021).
    public func refuse(txHash: String) {
        self.state.withLock { _ = $0.refused.insert(txHash) }
    }

    /// Every call fails as a lost connection does (or succeeds again).
    public func setUnavailable(_ unavailable: Bool) {
        self.state.withLock { $0.unavailable = unavailable }
    }

    /// The tx_hashes of each ingest call, in call order.
    public var batches: [[String]] { self.state.withLock { $0.batches } }

    /// The tx_hashes of the transfers stored so far.
    public var storedTxHashes: Set<String> { self.state.withLock { Set($0.stored.keys.map(\.txHash)) } }

    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] {
        try self.state.withLock { state in
            state.batches.append(records.map(\.txHash))
            if state.unavailable {
                throw ServiceError(.unavailable, "database connection lost")
            }
            if records.contains(where: { state.refused.contains($0.txHash) }) {
                throw ServiceError.storeRefusedData("SQLSTATE 22021")
            }
            return records.map { record in
                if let id = state.stored[record.key] {
                    return IngestResult(txID: id, outcome: .accepted(created: false, queued: false))
                }
                let id = UUID()
                state.stored[record.key] = id
                return IngestResult(txID: id, outcome: .accepted(created: true, queued: record.isReady(threshold: confirmationThreshold)))
            }
        }
    }

    public func migrate() async throws -> [Int] { [] }
    public func ping() async throws {}
    public func close() async {}

    private func unsupported() -> ServiceError { ServiceError(.storeFailure, "ScriptedIngestStore supports ingest only") }

    public func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] { throw self.unsupported() }
    public func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome] { throw self.unsupported() }
    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        throw self.unsupported()
    }
    public func releaseLeases(ownedBy owner: String) async throws -> Int { throw self.unsupported() }
    public func createUser(username: String, telegramID: Int64?) async throws -> User { throw self.unsupported() }
    public func wallet(userID: UUID) async throws -> Wallet? { throw self.unsupported() }
    public func transaction(id: UUID) async throws -> TransactionStatus? { throw self.unsupported() }
    public func assign(txID: UUID, userID: UUID) async throws { throw self.unsupported() }
    public func requeue(txID: UUID) async throws { throw self.unsupported() }
    public func statistics() async throws -> StoreStatistics { throw self.unsupported() }
    public func verify() async throws -> [InvariantViolation] { throw self.unsupported() }
}
