import Foundation
import PostgresNIO

extension PostgresStore {
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
                    WHERE run_at <= now() AND (locked_until IS NULL OR locked_until <= now())
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

    /// One transaction and a fixed number of statements for the whole batch: rows are
    /// locked in a fixed order (jobs, then deposits by transfer key, then wallets by user)
    /// so concurrent batches and ingest cannot deadlock.
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
            var outcomes = Dictionary(uniqueKeysWithValues: jobs.map { ($0.txID, JobOutcome.leaseLost) })
            guard !held.isEmpty else { return outcomes }

            struct Row { var id: UUID; var state: DepositState; var chainStatus: String; var amount: Amount; var candidate: UUID? }
            var rows: [Row] = []
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
                rows.append(Row(id: id, state: state, chainStatus: chainStatus, amount: try Amount(parsing: amount),
                                candidate: Settlement.candidate(assigned: userID, reference: userRef)))
            }
            let candidates = Array(Set(rows.compactMap(\.candidate)))
            var knownUsers: Set<UUID> = []
            if !candidates.isEmpty {
                for try await id in try await connection.query(
                    "SELECT id FROM users WHERE id = ANY(\(candidates)::uuid[])", logger: self.logger
                ).decode(UUID.self) {
                    knownUsers.insert(id)
                }
            }
            // Settled in claim order (oldest first), so at the ceiling the earlier deposit is the one credited.
            let position = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.txID, $0) })
            rows.sort { position[$0.id, default: 0] < position[$1.id, default: 0] }
            let decided = rows.map { row in
                Settlement.decide(state: row.state, chainStatus: row.chainStatus, candidate: row.candidate, knownUsers: knownUsers, amount: row.amount)
            }
            // Each credited user's wallet, locked in user order, and its balance: the sums and
            // the ceiling are checked in Swift (`Settlement.applyCeiling`), so a credit that
            // would overflow NUMERIC(38,18) is refused alone instead of failing the batch.
            let users = Array(Set(decided.compactMap(\.settledUser))).sorted { $0.uuidString < $1.uuidString }
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
            let checked = Settlement.applyCeiling(decided, balances: balances)
            let plan = Array(zip(rows, checked.settlements))
            let credits = plan.compactMap { row, settlement -> (UUID, UUID, Amount)? in
                if case .credit(let user, let amount) = settlement { (row.id, user, amount) } else { nil }
            }
            if !credits.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO ledger_entries (tx_id, user_id, amount, created_at)
                    SELECT t, u, a::numeric, \(now)
                    FROM unnest(\(credits.map(\.0))::uuid[], \(credits.map(\.1))::uuid[], \(credits.map { $0.2.description })::text[]) AS x(t, u, a)
                    """,
                    logger: self.logger
                )
                try await self.faults.check(.afterLedgerInsert)
                let credited = Array(checked.balances)
                try await connection.query(
                    """
                    UPDATE wallets w SET deposit_balance = x.b::numeric, updated_at = \(now)
                    FROM unnest(\(credited.map(\.key))::uuid[], \(credited.map { $0.value.description })::text[]) AS x(u, b)
                    WHERE w.user_id = x.u
                    """,
                    logger: self.logger
                )
            }
            let settled = plan.filter { $0.1.finalState != nil }
            if !settled.isEmpty {
                let ids = settled.map(\.0.id)
                let states = settled.map { $0.1.finalState!.rawValue }
                let users = settled.map { $0.1.settledUser?.uuidString ?? "" }
                let reasons = settled.map { $0.1.failureReason ?? "" }
                try await connection.query(
                    """
                    UPDATE transactions t SET state = x.s, user_id = COALESCE(NULLIF(x.u, '')::uuid, t.user_id),
                        failure_reason = NULLIF(x.r, ''), processed_at = \(now), updated_at = \(now)
                    FROM unnest(\(ids)::uuid[], \(states)::text[], \(users)::text[], \(reasons)::text[]) AS x(id, s, u, r)
                    WHERE t.id = x.id
                    """,
                    logger: self.logger
                )
                try await connection.query(
                    """
                    INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
                    SELECT id, 'worker', a, d, \(now)
                    FROM unnest(\(ids)::uuid[], \(settled.map { $0.1.auditAction ?? "" })::text[], \(settled.map(\.1.auditDetail))::text[]) AS x(id, a, d)
                    """,
                    logger: self.logger
                )
            }
            try await connection.query("DELETE FROM deposit_jobs WHERE tx_id = ANY(\(held)::uuid[])", logger: self.logger)
            try await self.faults.check(.beforeCommit)
            for (row, settlement) in plan { outcomes[row.id] = settlement.outcome }
            return outcomes
        }
    }
}
