import Foundation

/// Durable storage of deposits: the one protocol both backends implement.
///
/// Every mutating method is one database transaction: it commits entirely or not at all.
/// Time comes from the store's injected wall clock, so leases and retries can be tested
/// without waiting.
public protocol DepositStore: Sendable {
    /// Which database this is, for logs and health output.
    var backend: StoreBackend { get }

    /// Applies pending schema migrations; returns the versions applied now (empty when up to date).
    func migrate() async throws -> [Int]

    /// Succeeds when the database answers a trivial query.
    func ping() async throws

    /// Records a batch of webhooks in one transaction (group commit).
    ///
    /// Returns one result per record, in order. A repeat of a stored transfer returns its
    /// tx_id and raises confirmations to the maximum seen; a repeat that disagrees on amount,
    /// currency or user is a conflict and changes nothing. A record that becomes ready
    /// (enough confirmations, or failed on chain) gets its deposit job in the same transaction.
    /// Records in one batch must have distinct keys. The rule is ``IngestRule``.
    func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult]

    /// Takes up to `limit` due jobs whose lease is free or expired (oldest first), all
    /// stamped with one fresh lease token. On PostgreSQL jobs locked by another claimer are
    /// skipped, not waited for.
    func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob]

    /// Settles claimed jobs in ONE transaction: each deposit is credited, unmatched or
    /// failed, and its job removed. A job no longer carrying its `leaseToken` (fencing) is
    /// left alone: ``JobOutcome/leaseLost``. Any error rolls back the whole batch; a caller
    /// then settles the jobs one by one, so a deposit that keeps failing is charged its own
    /// attempts only. What each deposit becomes is ``SettlementPlan``'s decision.
    func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome]

    /// Records a failed attempt: reschedules the job after `retryAfter`, or — at
    /// `maxAttempts` failures — parks the deposit as `dead`. Returns the deposit's state after.
    /// Does nothing (returns nil) when the lease was lost. The rule is ``FailedAttempt``.
    func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState?

    /// Frees every lease held by `owner` (a worker that restarted); returns how many.
    func releaseLeases(ownedBy owner: String) async throws -> Int

    /// Creates a user and an empty wallet. A taken username or telegram_id is a conflict.
    func createUser(username: String, telegramID: Int64?) async throws -> User

    func wallet(userID: UUID) async throws -> Wallet?

    func transaction(id: UUID) async throws -> TransactionStatus?

    /// Gives an `unmatched` deposit a user and queues it again; refusals and their messages
    /// are ``DepositTransition``'s.
    func assign(txID: UUID, userID: UUID) async throws

    /// Queues a `dead` deposit again with a fresh attempt count (``DepositTransition/requeue``).
    func requeue(txID: UUID) async throws

    /// Counts for gauges and autoscaling.
    func statistics() async throws -> StoreStatistics

    /// Checks the invariants of ``InvariantCatalogue`` (docs/API.md "Invariants"), including
    /// that no two rows are one transfer under the canonical tx_hash; returns every
    /// violation found.
    func verify() async throws -> [InvariantViolation]

    /// Deposits settled as `failed` because crediting them would have taken a wallet past
    /// ``Amount/maximum`` (`failure_reason` starting `balance_ceiling`). Not an invariant
    /// violation: `cricalgo verify` reports the count beside its checks.
    func balanceCeilingRefusals() async throws -> Int

    /// The database's schema version: the highest in `schema_migrations`, nil when it has
    /// none (an empty database, never migrated).
    func schemaVersion() async throws -> Int?

    /// The highest schema version this binary knows (``migrate()`` refuses a newer one).
    var latestSchemaVersion: Int { get }

    /// Closes connections; the store is unusable afterwards.
    func close() async
}

extension DepositStore {
    /// A store that cannot refuse credits at the ceiling has none to report.
    public func balanceCeilingRefusals() async throws -> Int { 0 }

    public func schemaVersion() async throws -> Int? {
        throw ServiceError(.storeFailure, "this store keeps no schema version")
    }

    public var latestSchemaVersion: Int { 0 }

    /// Refuses a database `cricalgo verify` cannot check as it is: none (no schema: a
    /// missing or never-migrated database), or a schema older or newer than this binary's.
    public func requireCurrentSchema() async throws {
        let latest = self.latestSchemaVersion
        guard let version = try await self.schemaVersion() else {
            throw ServiceError(.notFound, "the database has no cricalgo schema (wrong DATABASE_URL or directory?): nothing to verify")
        }
        if version > latest {
            throw Migrations.newerSchemaError(found: version, known: latest)
        }
        if version < latest {
            throw ServiceError(
                .migrationFailed, "database schema version \(version) is older than this binary's (\(latest)): run `cricalgo migrate` first"
            )
        }
    }

    /// Takes the next due job, if any.
    public func claimJob(owner: String, lease: Duration) async throws -> ClaimedJob? {
        try await self.claimJobs(owner: owner, lease: lease, limit: 1).first
    }

    /// Settles one claimed job in its own transaction.
    public func processJob(_ job: ClaimedJob) async throws -> JobOutcome {
        try await self.processJobs([job])[job.txID] ?? .leaseLost
    }
}

public enum StoreBackend: String, Sendable {
    case postgres
    case sqlite
}

/// The states of a deposit (docs/API.md "Deposit lifecycle"); the rules that move them live
/// in `Sources/Actors/Rules`. Legal transitions:
/// `pending → queued` (ready), `queued → credited | unmatched | failed | dead` (a worker),
/// `unmatched → queued` (assign), `dead → queued` (requeue). A `failed` deposit carries its
/// reason in `transactions.failure_reason`: the chain reported the transfer failed
/// (`chain_failed`), or crediting it would have passed the largest balance a wallet can
/// hold (`balance_ceiling`).
public enum DepositState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    case queued
    case credited
    case unmatched
    case failed
    case dead

    /// Whether no worker will touch the deposit again on its own.
    public var isFinal: Bool {
        switch self {
        case .pending, .queued: false
        case .credited, .unmatched, .failed, .dead: true
        }
    }
}

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

public enum JobOutcome: String, Sendable, Hashable {
    case credited
    case unmatched
    case failed
    /// Crediting it would have taken the wallet past ``Amount/maximum``: settled as
    /// ``DepositState/failed`` with `failure_reason` `balance_ceiling: …`, nothing credited.
    case balanceCeiling = "balance_ceiling"
    /// The deposit was already final; the job was removed.
    case alreadyFinal = "already_final"
    /// Another worker holds the job now; nothing was written.
    case leaseLost = "lease_lost"
}

public struct User: Sendable, Hashable {
    public var id: UUID
    public var username: String
    public var telegramID: Int64?

    public init(id: UUID, username: String, telegramID: Int64?) {
        self.id = id
        self.username = username
        self.telegramID = telegramID
    }
}

public struct Wallet: Sendable, Hashable {
    public var userID: UUID
    public var depositBalance: Amount
    public var winningBalance: Amount
    public var bonusBalance: Amount

    public init(userID: UUID, depositBalance: Amount, winningBalance: Amount, bonusBalance: Amount) {
        self.userID = userID
        self.depositBalance = depositBalance
        self.winningBalance = winningBalance
        self.bonusBalance = bonusBalance
    }
}

public struct TransactionStatus: Sendable, Hashable {
    public var txID: UUID
    public var txHash: String
    public var chain: String
    public var logIndex: Int64
    public var state: DepositState
    public var confirmations: Int64
    public var amount: Amount
    public var currency: String
    public var userID: UUID?
    public var processedAt: Date?
    /// Why a `failed` deposit was not credited (`chain_failed: …`, `balance_ceiling: …`).
    public var failureReason: String?

    public init(
        txID: UUID, txHash: String, chain: String, logIndex: Int64, state: DepositState, confirmations: Int64,
        amount: Amount, currency: String, userID: UUID?, processedAt: Date?, failureReason: String? = nil
    ) {
        self.txID = txID
        self.txHash = txHash
        self.chain = chain
        self.logIndex = logIndex
        self.state = state
        self.confirmations = confirmations
        self.amount = amount
        self.currency = currency
        self.userID = userID
        self.processedAt = processedAt
        self.failureReason = failureReason
    }
}

public struct StoreStatistics: Sendable, Hashable {
    /// Deposits per state; every state present, zero when none.
    public var deposits: [DepositState: Int]
    /// Jobs not yet finished (due, scheduled for retry, or leased).
    public var queueDepth: Int
    /// How long the oldest due, unleased job has waited; zero when none.
    public var oldestDueAge: Duration
    /// How long ago the oldest unfinished job was queued, whatever its due time or lease
    /// (a job rescheduled again and again, or held by a stuck lease, still ages); zero when none.
    public var oldestJobAge: Duration

    /// The most rows the monitor counts per state: beyond it the count reads `countCap`
    /// (the gauge then means "at least"), so a refresh costs the same at any history size.
    public static let countCap = 100_000

    public init(deposits: [DepositState: Int], queueDepth: Int, oldestDueAge: Duration, oldestJobAge: Duration = .zero) {
        self.deposits = deposits
        self.queueDepth = queueDepth
        self.oldestDueAge = oldestDueAge
        self.oldestJobAge = oldestJobAge
    }
}

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
