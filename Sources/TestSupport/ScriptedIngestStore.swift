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
        /// Ingest calls still to fail with a deadlock (SQLSTATE 40P01).
        var deadlocks = 0
        var stalling = false
        var stalled: [CheckedContinuation<Void, Never>] = []
        /// Callers of ``waitUntilStalled(count:)``, each with the count it waits for.
        var stallWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var calls: [String: Int] = [:]
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

    /// The next `count` ingest calls fail as a PostgreSQL deadlock does (``ServiceError/Code/unavailable``
    /// naming SQLSTATE 40P01), before touching anything.
    public func failWithDeadlock(times count: Int) {
        self.state.withLock { $0.deadlocks = count }
    }

    /// From now on every ingest call suspends (nothing stored) until ``releaseStall()``.
    public func stallIngest() {
        self.state.withLock { $0.stalling = true }
    }

    /// Returns once at least `count` ingest calls are suspended by ``stallIngest()`` at once.
    public func waitUntilStalled(count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = self.state.withLock { state -> Bool in
                if state.stalled.count >= count { return true }
                state.stallWatchers.append((count, continuation))
                return false
            }
            if already { continuation.resume() }
        }
    }

    /// Ingest calls suspended by ``stallIngest()`` now.
    public var stalledCount: Int { self.state.withLock { $0.stalled.count } }

    /// Lets every suspended ingest call go on, and stops stalling.
    public func releaseStall() {
        let stalled = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stalling = false
            defer { state.stalled = [] }
            return state.stalled
        }
        for continuation in stalled { continuation.resume() }
    }

    /// How many times each store method was called (`"ingest"`, `"ping"`, `"statistics"`, …).
    public var calls: [String: Int] { self.state.withLock { $0.calls } }

    private func count(_ method: String) {
        self.state.withLock { $0.calls[method, default: 0] += 1 }
    }

    /// The tx_hashes of each ingest call, in call order.
    public var batches: [[String]] { self.state.withLock { $0.batches } }

    /// The tx_hashes of the transfers stored so far.
    public var storedTxHashes: Set<String> { self.state.withLock { Set($0.stored.keys.map(\.txHash)) } }

    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] {
        let stall = self.state.withLock { state -> Bool in
            state.calls["ingest", default: 0] += 1
            return state.stalling
        }
        if stall {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (watchers, released) = self.state.withLock { state -> ([CheckedContinuation<Void, Never>], Bool) in
                    guard state.stalling else { return ([], true) }
                    state.stalled.append(continuation)
                    let count = state.stalled.count
                    defer { state.stallWatchers.removeAll { $0.count <= count } }
                    return (state.stallWatchers.filter { $0.count <= count }.map(\.continuation), false)
                }
                if released { continuation.resume() }
                for watcher in watchers { watcher.resume() }
            }
        }
        return try self.state.withLock { state in
            state.batches.append(records.map(\.txHash))
            if state.deadlocks > 0 {
                state.deadlocks -= 1
                throw ServiceError.storeConflict("SQLSTATE 40P01")
            }
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
    public func ping() async throws { self.count("ping") }
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
    /// Empty statistics (so a store monitor sees a reachable store); counted.
    public func statistics() async throws -> StoreStatistics {
        self.count("statistics")
        if self.state.withLock({ $0.unavailable }) { throw ServiceError(.unavailable, "database connection lost") }
        return StoreStatistics(deposits: [:], queueDepth: 0, oldestDueAge: .zero)
    }
    public func verify() async throws -> [InvariantViolation] { throw self.unsupported() }
}
