import Actors
import Foundation
import Synchronization

/// An in-memory store for router tests of the admin routes: users, wallets and
/// transactions the test put there, or every call failing as a lost connection does.
/// Only the admin operations are supported.
public final class ScriptedAdminStore: DepositStore {
    private struct State {
        var users: [UUID: User] = [:]
        var wallets: [UUID: Wallet] = [:]
        var transactions: [UUID: TransactionStatus] = [:]
        var assigned: [(txID: UUID, userID: UUID)] = []
        var requeued: [UUID] = []
        var unavailable = false
    }

    public let backend = StoreBackend.sqlite
    private let state = Mutex(State())

    public init() {}

    /// Every call fails as a lost connection does (or succeeds again).
    public func setUnavailable(_ unavailable: Bool) {
        self.state.withLock { $0.unavailable = unavailable }
    }

    /// Makes `status` readable by its tx_id.
    public func add(_ status: TransactionStatus) {
        self.state.withLock { $0.transactions[status.txID] = status }
    }

    /// The assignments made so far, in order.
    public var assignments: [(txID: UUID, userID: UUID)] { self.state.withLock { $0.assigned } }

    /// The tx_ids requeued so far, in order.
    public var requeued: [UUID] { self.state.withLock { $0.requeued } }

    private func available<Value>(_ body: (inout State) throws -> Value) throws -> Value {
        try self.state.withLock { state in
            if state.unavailable { throw ServiceError(.unavailable, "database connection lost") }
            return try body(&state)
        }
    }

    public func createUser(username: String, telegramID: Int64?) async throws -> User {
        try self.available { state in
            guard !state.users.values.contains(where: { $0.username == username }) else {
                throw ServiceError(.conflict, "username is taken")
            }
            let user = User(id: UUID(), username: username, telegramID: telegramID)
            state.users[user.id] = user
            state.wallets[user.id] = Wallet(userID: user.id, depositBalance: .zero, winningBalance: .zero, bonusBalance: .zero)
            return user
        }
    }

    public func wallet(userID: UUID) async throws -> Wallet? {
        try self.available { $0.wallets[userID] }
    }

    public func transaction(id: UUID) async throws -> TransactionStatus? {
        try self.available { $0.transactions[id] }
    }

    public func assign(txID: UUID, userID: UUID) async throws {
        try self.available { state in
            guard state.transactions[txID] != nil else { throw ServiceError(.notFound, "no transaction with this tx_id") }
            guard state.users[userID] != nil else { throw ServiceError(.notFound, "no user with this user_id") }
            state.assigned.append((txID, userID))
        }
    }

    public func requeue(txID: UUID) async throws {
        try self.available { state in
            guard state.transactions[txID] != nil else { throw ServiceError(.notFound, "no transaction with this tx_id") }
            state.requeued.append(txID)
        }
    }

    public func ping() async throws { try self.available { _ in } }
    public func migrate() async throws -> [Int] { [] }
    public func close() async {}

    private func unsupported() -> ServiceError { ServiceError(.storeFailure, "ScriptedAdminStore supports the admin operations only") }

    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] { throw self.unsupported() }
    public func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] { throw self.unsupported() }
    public func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome] { throw self.unsupported() }
    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        throw self.unsupported()
    }
    public func releaseLeases(ownedBy owner: String) async throws -> Int { throw self.unsupported() }
    public func statistics() async throws -> StoreStatistics { throw self.unsupported() }
    public func verify() async throws -> [InvariantViolation] { throw self.unsupported() }
}
