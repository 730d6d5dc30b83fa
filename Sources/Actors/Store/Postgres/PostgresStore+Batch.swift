import Foundation
import PostgresNIO

extension PostgresStore {
    /// ``JobEligibility/claimableSQL(in:)`` for PostgreSQL.
    static let claimable = JobEligibility.claimableSQL(in: .postgres)

    /// ``Settlement/auditActor`` as a SQL literal (every settlement audit row has it).
    static let settlementActor = SQLDialect.literal(Settlement.auditActor)

    /// Due times and leases are read and written on the database's clock (`now()`), so
    /// processes whose clocks disagree neither delay due jobs nor take live leases.
    public func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        let token = UUID()
        return try await self.withConnection { connection in
            var jobs: [ClaimedJob] = []
            for try await (txID, attempts) in try await connection.query(
                """
                UPDATE deposit_jobs SET locked_by = \(owner), locked_until = now() + make_interval(secs => \(lease.seconds)),
                    lease_token = \(token)
                WHERE tx_id IN (
                    SELECT tx_id FROM deposit_jobs
                    WHERE \(unescaped: Self.claimable)
                    ORDER BY run_at
                    LIMIT \(max(1, limit))
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING tx_id, attempts
                """,
                logger: self.logger
            ).decode((UUID, Int).self) {
                jobs.append(ClaimedJob(txID: txID, leaseToken: token, owner: owner, failedAttempts: attempts))
            }
            return jobs
        }
    }

    /// Settles the batch as ``SettlementPlan`` decides, in one transaction and a fixed number
    /// of statements whatever the batch size: rows are locked in a fixed order (jobs, then
    /// deposits by transfer key, then wallets by user) so concurrent batches and ingest
    /// cannot deadlock.
    public func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome] {
        guard !jobs.isEmpty else { return [:] }
        let now = self.clock.now()
        return try await self.withTransaction { connection in
            var held: [UUID] = []
            for try await txID in try await connection.query(
                """
                SELECT j.tx_id FROM deposit_jobs j
                JOIN unnest(\(jobs.map(\.txID))::uuid[], \(jobs.map(\.leaseToken))::uuid[]) AS c(tx_id, token)
                  ON c.tx_id = j.tx_id AND c.token = j.lease_token
                ORDER BY j.tx_id
                FOR UPDATE OF j
                """,
                logger: self.logger
            ).decode(UUID.self) {
                held.append(txID)
            }
            guard !held.isEmpty else { return SettlementPlan.allLost(jobs) }

            var rows: [SettlementPlan.Row] = []
            rows.reserveCapacity(held.count)
            for try await (id, state, chainStatus, amount, userRef, userID) in try await connection.query(
                """
                SELECT id, state, chain_status, amount::text, user_ref, user_id FROM transactions
                WHERE id = ANY(\(held)::uuid[])
                ORDER BY chain COLLATE "C", tx_hash COLLATE "C", log_index
                FOR UPDATE
                """,
                logger: self.logger
            ).decode((UUID, String, String, String, String?, UUID?).self) {
                guard let state = DepositState(rawValue: state) else { throw ServiceError(.storeFailure, "unknown deposit state") }
                rows.append(SettlementPlan.Row(
                    id: id, state: state, chainStatus: chainStatus, amount: try Amount(parsing: amount),
                    candidate: Settlement.candidate(assigned: userID, reference: userRef)
                ))
            }
            let candidates = SettlementPlan.candidates(rows)
            var knownUsers: Set<UUID> = []
            if !candidates.isEmpty {
                for try await id in try await connection.query(
                    "SELECT id FROM users WHERE id = ANY(\(candidates)::uuid[])", logger: self.logger
                ).decode(UUID.self) {
                    knownUsers.insert(id)
                }
            }
            var plan = SettlementPlan(claimOrder: jobs, rows: rows, knownUsers: knownUsers)
            // Each wallet the plan settles to, locked in user order, and its balance: the plan
            // sums the credits and checks the ceiling in Swift, so a credit that would
            // overflow NUMERIC(38,18) is refused alone instead of failing the batch.
            let users = plan.walletUsers
            var balances: [UUID: Amount] = [:]
            if !users.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO wallets (user_id, updated_at) SELECT u, \(now) FROM unnest(\(users)::uuid[]) AS u
                    ON CONFLICT (user_id) DO NOTHING
                    """,
                    logger: self.logger
                )
                for try await (user, balance) in try await connection.query(
                    "SELECT user_id, deposit_balance::text FROM wallets WHERE user_id = ANY(\(users)::uuid[]) ORDER BY user_id FOR UPDATE",
                    logger: self.logger
                ).decode((UUID, String).self) {
                    balances[user] = try Amount(parsing: balance)
                }
            }
            plan.applyBalances(balances)
            let credits = plan.credits
            if !credits.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO ledger_entries (tx_id, user_id, amount, created_at)
                    SELECT t, u, a::numeric, \(now)
                    FROM unnest(\(credits.map(\.txID))::uuid[], \(credits.map(\.user))::uuid[], \(credits.map(\.amount.description))::text[]) AS x(t, u, a)
                    """,
                    logger: self.logger
                )
                try await self.faults.check(.afterLedgerInsert)
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
            let settled = plan.settled
            if !settled.isEmpty {
                let ids = settled.map(\.txID)
                try await connection.query(
                    """
                    UPDATE transactions t SET state = x.s, user_id = COALESCE(NULLIF(x.u, '')::uuid, t.user_id),
                        failure_reason = NULLIF(x.r, ''), processed_at = \(now), updated_at = \(now)
                    FROM unnest(\(ids)::uuid[], \(settled.map(\.state.rawValue))::text[], \(settled.map { $0.user?.uuidString ?? "" })::text[],
                                \(settled.map { $0.failureReason ?? "" })::text[]) AS x(id, s, u, r)
                    WHERE t.id = x.id
                    """,
                    logger: self.logger
                )
                try await connection.query(
                    """
                    INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
                    SELECT id, \(unescaped: Self.settlementActor), a, d, \(now)
                    FROM unnest(\(ids)::uuid[], \(settled.map(\.audit.action))::text[], \(settled.map(\.audit.detail))::text[]) AS x(id, a, d)
                    """,
                    logger: self.logger
                )
            }
            try await connection.query("DELETE FROM deposit_jobs WHERE tx_id = ANY(\(held)::uuid[])", logger: self.logger)
            try await self.faults.check(.beforeCommit)
            return plan.outcomes(for: jobs)
        }
    }
}
