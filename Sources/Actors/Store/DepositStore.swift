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
