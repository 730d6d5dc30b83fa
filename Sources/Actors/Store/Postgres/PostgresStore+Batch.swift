import Foundation
import PostgresNIO

extension PostgresStore {
    /// ``JobEligibility/claimableSQL(in:)`` for PostgreSQL.
    static let claimable = JobEligibility.claimableSQL(in: .postgres)

    /// ``Settlement/auditActor`` as a SQL literal (every settlement audit row has it).
    static let settlementActor = SQLDialect.literal(Settlement.auditActor)

    /// ``Amount/maximum`` as a SQL literal: the guard of the wallets-last credit.
    static let balanceMaximum = SQLDialect.literal(Amount.maximum.description)

    /// Due times and leases are read and written on the database's clock (`now()`), so
    /// processes whose clocks disagree neither delay due jobs nor take live leases.
    public func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        let statement = ClaimJobsStatement(owner: owner, lease: lease, token: UUID(), limit: limit)
        return try await self.withConnection { connection in
            var jobs: [ClaimedJob] = []
            for try await (txID, attempts) in try await connection.execute(statement, logger: self.logger) {
                jobs.append(ClaimedJob(txID: txID, leaseToken: statement.token, owner: owner, failedAttempts: attempts))
            }
            return jobs
        }
    }

    /// Settles the batch as ``SettlementPlan`` decides, in one transaction and a fixed number
    /// of statements whatever the batch size. Rows are locked in a fixed order (jobs, then
    /// deposits by transfer key, then wallets by user) so concurrent batches and ingest
    /// cannot deadlock.
    ///
    /// Wallets are locked last, by the statement that credits them just before `COMMIT`, so
    /// batches crediting the same wallet (a hot wallet) queue on its row only for that
    /// statement and the commit, not for the whole batch. The ceiling rule stays exact:
    /// the plan is first checked against empty wallets, and the credit statement adds each
    /// wallet's sum only where `balance + sum ≤ Amount.maximum`. Amounts are positive, so
    /// when that holds every running balance in claim order fits too and the exact rule
    /// credits every deposit, which is what was written. Otherwise (a wallet near the
    /// ceiling, or a batch whose credits alone pass it) the batch is settled by
    /// ``settle(_:now:walletsLast:)`` with wallets locked and read before the plan is applied.
    public func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome] {
        guard !jobs.isEmpty else { return [:] }
        let now = self.clock.now()
        do {
            return try await self.settle(jobs, now: now, walletsLast: true)
        } catch is WalletNearCeiling {
            return try await self.settle(jobs, now: now, walletsLast: false)
        }
    }

    /// The claim and ``processJobs(_:)``'s settlement in one transaction: the claim locks the
    /// due jobs (``LockDueJobsStatement``) instead of writing leases, and the settlement runs
    /// on the jobs it locked. One commit per batch instead of two.
    public func claimAndSettle(owner: String, limit: Int, claimed: @Sendable ([ClaimedJob]) -> Void) async throws -> SettledBatch {
        let token = UUID()
        let now = self.clock.now()
        do {
            return try await self.claimAndSettle(owner: owner, token: token, limit: limit, now: now, walletsLast: true, claimed: claimed)
        } catch is WalletNearCeiling {
            return try await self.claimAndSettle(owner: owner, token: token, limit: limit, now: now, walletsLast: false, claimed: claimed)
        }
    }

    private func claimAndSettle(
        owner: String, token: UUID, limit: Int, now: Date, walletsLast: Bool, claimed: @Sendable ([ClaimedJob]) -> Void
    ) async throws -> SettledBatch {
        try await self.withTransaction { connection in
            var jobs: [ClaimedJob] = []
            for try await (txID, attempts) in try await connection.execute(LockDueJobsStatement(limit: limit), logger: self.logger) {
                jobs.append(ClaimedJob(txID: txID, leaseToken: token, owner: owner, failedAttempts: attempts))
            }
            guard !jobs.isEmpty else { return SettledBatch(jobs: [], outcomes: [:]) }
            claimed(jobs)
            try await self.faults.check(.afterClaim)
            let outcomes = try await self.settle(jobs, held: jobs.map(\.txID), now: now, walletsLast: walletsLast, on: connection)
            return SettledBatch(jobs: jobs, outcomes: outcomes)
        }
    }

    /// The wallets-last credit found a wallet whose balance plus the batch's credits would
    /// pass ``Amount/maximum``: the transaction is abandoned and the batch settled again
    /// with the wallets read under lock.
    private struct WalletNearCeiling: Error {}

    /// One attempt at settling `jobs`: locks those still carrying their lease token, then
    /// settles them.
    private func settle(_ jobs: [ClaimedJob], now: Date, walletsLast: Bool) async throws -> [UUID: JobOutcome] {
        try await self.withTransaction { connection in
            var held: [UUID] = []
            for try await txID in try await connection.execute(HeldJobsStatement(jobs: jobs), logger: self.logger) {
                held.append(txID)
            }
            guard !held.isEmpty else { return SettlementPlan.allLost(jobs) }
            return try await self.settle(jobs, held: held, now: now, walletsLast: walletsLast, on: connection)
        }
    }

    /// Settles the `held` jobs of `jobs` (their job rows locked by this transaction) on
    /// `connection`. With `walletsLast`, a plan that credits every deposit against empty
    /// wallets credits by sum in the last statement (throwing ``WalletNearCeiling`` if a
    /// wallet has no room); any other plan, or `walletsLast` false, locks and reads the
    /// wallets before applying the balances exactly. Every statement but that rare exact
    /// path is prepared once per connection.
    private func settle(
        _ jobs: [ClaimedJob], held: [UUID], now: Date, walletsLast: Bool, on connection: PostgresSession
    ) async throws -> [UUID: JobOutcome] {
        var rows: [SettlementPlan.Row] = []
        rows.reserveCapacity(held.count)
        for try await (id, state, chainStatus, amount, userRef, userID) in try await connection.execute(
            SettlementRowsStatement(ids: held), logger: self.logger
        ) {
            guard let state = DepositState(rawValue: state) else { throw ServiceError(.storeFailure, "unknown deposit state") }
            rows.append(SettlementPlan.Row(
                id: id, state: state, chainStatus: chainStatus, amount: try Amount(parsing: amount),
                candidate: Settlement.candidate(assigned: userID, reference: userRef)
            ))
        }
        let candidates = SettlementPlan.candidates(rows)
        var knownUsers: Set<UUID> = []
        if !candidates.isEmpty {
            for try await id in try await connection.execute(KnownUsersStatement(candidates: candidates), logger: self.logger) {
                knownUsers.insert(id)
            }
        }
        var plan = SettlementPlan(claimOrder: jobs, rows: rows, knownUsers: knownUsers)
        var creditBySum = false
        if walletsLast {
            var againstEmpty = plan
            againstEmpty.applyBalances([:])
            if !againstEmpty.refusesAtCeiling {
                plan = againstEmpty
                creditBySum = true
            }
        }
        if !creditBySum {
            plan.applyBalances(try await self.lockWallets(plan.walletUsers, now: now, on: connection))
        }
        try await self.write(plan, held: held, now: now, on: connection)
        try await self.faults.check(.afterLedgerInsert)
        if creditBySum {
            try await self.credit(sums: plan.newBalances, now: now, on: connection)
        } else if !plan.newBalances.isEmpty {
            let credited = Array(plan.newBalances)
            try await connection.query(
                """
                UPDATE wallets w SET deposit_balance = x.b::numeric, updated_at = \(now)
                FROM unnest(\(credited.map(\.key))::uuid[], \(credited.map { $0.value.description })::text[]) AS x(u, b)
                WHERE w.user_id = x.u
                """,
                logger: self.logger
            )
        }
        try await self.faults.check(.beforeCommit)
        return plan.outcomes(for: jobs)
    }

    /// Creates each missing wallet, then locks the wallets in user order and reads their
    /// deposit_balance.
    private func lockWallets(_ users: [UUID], now: Date, on connection: PostgresSession) async throws -> [UUID: Amount] {
        guard !users.isEmpty else { return [:] }
        try await connection.query(
            """
            INSERT INTO wallets (user_id, updated_at) SELECT u, \(now) FROM unnest(\(users)::uuid[]) AS u
            ON CONFLICT (user_id) DO NOTHING
            """,
            logger: self.logger
        )
        var balances: [UUID: Amount] = [:]
        for try await (user, balance) in try await connection.query(
            "SELECT user_id, deposit_balance::text FROM wallets WHERE user_id = ANY(\(users)::uuid[]) ORDER BY user_id FOR UPDATE",
            logger: self.logger
        ).decode((UUID, String).self) {
            balances[user] = try Amount(parsing: balance)
        }
        return balances
    }

    /// The plan's ledger entries, final states, audit rows and the deletion of the held jobs,
    /// in one statement (``SettlementWriteStatement``).
    private func write(_ plan: SettlementPlan, held: [UUID], now: Date, on connection: PostgresSession) async throws {
        for try await _ in try await connection.execute(SettlementWriteStatement(plan: plan, held: held, now: now), logger: self.logger) {}
    }

    /// Adds each wallet's sum of credits to its balance (creating the wallet if missing), in
    /// user order, where the result stays within ``Amount/maximum``; throws
    /// ``WalletNearCeiling`` when a wallet had no room for its sum.
    private func credit(sums: [UUID: Amount], now: Date, on connection: PostgresSession) async throws {
        guard !sums.isEmpty else { return }
        let statement = WalletCreditStatement(sums: sums.map { (user: $0.key, sum: $0.value) }, now: now)
        var credited = 0
        for try await _ in try await connection.execute(statement, logger: self.logger) {
            credited += 1
        }
        guard credited == statement.sums.count else { throw WalletNearCeiling() }
    }
}
