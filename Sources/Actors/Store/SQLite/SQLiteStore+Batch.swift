import Foundation
import SQLiteNIO

extension SQLiteStore {
    /// ``JobEligibility/claimableSQL(in:)`` for SQLite.
    static let claimable = JobEligibility.claimableSQL(in: .sqlite)

    /// ``Settlement/auditActor`` as a SQL literal (every settlement audit row has it).
    static let settlementActor = SQLDialect.literal(Settlement.auditActor)

    /// Due times and leases are read and written on SQLite's clock (``SQLiteStore/databaseNow``),
    /// so processes sharing the file agree on them whatever their own clocks say.
    public func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        let token = UUID()
        return try await self.withTransaction { connection in
            try await connection.query(
                """
                UPDATE deposit_jobs SET locked_by = ?1, locked_until = \(Self.databaseNow) + ?2, lease_token = ?3
                WHERE tx_id IN (
                    SELECT tx_id FROM deposit_jobs
                    WHERE \(Self.claimable)
                    ORDER BY run_at
                    LIMIT ?4
                )
                RETURNING tx_id, attempts
                """,
                [.text(owner), .integer(Int(lease.wholeMilliseconds)), SQLiteData(token), .integer(max(1, limit))]
            ).map { row in
                ClaimedJob(txID: try row.uuid("tx_id"), leaseToken: token, owner: owner, failedAttempts: Int(try row.int("attempts")))
            }
        }
    }

    /// Settles the batch as ``SettlementPlan`` decides, in one transaction and a fixed
    /// number of statements whatever the batch size (SQLite runs each statement as a
    /// separate trip to its thread pool, so statements are what cost). The transaction's
    /// `BEGIN IMMEDIATE` holds the database's one write lock from the start, so batches for
    /// one wallet queue there whatever the order of the statements; the wallets are read
    /// and their new balances written directly (PostgreSQL's wallets-last credit has no
    /// row wait to shorten here).
    public func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome] {
        guard !jobs.isEmpty else { return [:] }
        let now = self.clock.now()
        return try await self.withTransaction { connection in
            let pairs = jobs.indices.map { "(?\($0 * 2 + 1), ?\($0 * 2 + 2))" }.joined(separator: ", ")
            let held = Set(try await connection.query(
                "SELECT tx_id FROM deposit_jobs WHERE (tx_id, lease_token) IN (VALUES \(pairs))",
                jobs.flatMap { [SQLiteData($0.txID), SQLiteData($0.leaseToken)] }
            ).map { try $0.uuid("tx_id") })
            guard !held.isEmpty else { return SettlementPlan.allLost(jobs) }
            let heldIDs = Array(held)
            let heldList = Self.placeholders(heldIDs.count)

            let rows = try await connection.query(
                "SELECT id, state, chain_status, amount, user_ref, user_id FROM transactions WHERE id IN (\(heldList))",
                heldIDs.map(SQLiteData.init)
            ).map { row in
                guard let state = DepositState(rawValue: try row.text("state")) else { throw ServiceError(.storeFailure, "unknown deposit state") }
                return SettlementPlan.Row(
                    id: try row.uuid("id"), state: state, chainStatus: try row.text("chain_status"), amount: try row.amount("amount"),
                    candidate: Settlement.candidate(
                        assigned: row.optionalText("user_id").flatMap(UUID.init(uuidString:)), reference: row.optionalText("user_ref")
                    )
                )
            }
            let candidates = SettlementPlan.candidates(rows)
            var knownUsers: Set<UUID> = []
            if !candidates.isEmpty {
                knownUsers = Set(try await connection.query(
                    "SELECT id FROM users WHERE id IN (\(Self.placeholders(candidates.count)))", candidates.map(SQLiteData.init)
                ).map { try $0.uuid("id") })
            }
            var plan = SettlementPlan(claimOrder: jobs, rows: rows, knownUsers: knownUsers)
            plan.applyBalances(try await self.lockWallets(plan.walletUsers, now: now, on: connection))
            let credits = plan.credits
            if !credits.isEmpty {
                try await self.applyCredits(credits, balances: plan.newBalances, now: now, on: connection)
            }
            let settled = plan.settled
            if !settled.isEmpty {
                var binds: [SQLiteData] = [SQLiteData(now)]
                var values: [String] = []
                for final in settled {
                    let first = binds.count + 1
                    values.append("(?\(first), ?\(first + 1), ?\(first + 2), ?\(first + 3), ?\(first + 4), ?\(first + 5))")
                    binds += [
                        SQLiteData(final.txID), .text(final.state.rawValue), final.user.map(SQLiteData.init) ?? .null,
                        .text(final.audit.detail), SQLiteData(final.failureReason), .text(final.audit.action),
                    ]
                }
                _ = try await connection.query(
                    """
                    WITH x(id, s, u, d, r, a) AS (VALUES \(values.joined(separator: ", ")))
                    UPDATE transactions SET state = x.s, user_id = COALESCE(x.u, transactions.user_id), failure_reason = x.r,
                        processed_at = ?1, updated_at = ?1
                    FROM x WHERE transactions.id = x.id
                    """,
                    binds
                )
                _ = try await connection.query(
                    """
                    WITH x(id, s, u, d, r, a) AS (VALUES \(values.joined(separator: ", ")))
                    INSERT INTO audit_logs (tx_id, actor, action, detail, created_at) SELECT id, \(Self.settlementActor), a, d, ?1 FROM x
                    """,
                    binds
                )
            }
            _ = try await connection.query("DELETE FROM deposit_jobs WHERE tx_id IN (\(heldList))", heldIDs.map(SQLiteData.init))
            try await self.faults.check(.beforeCommit)
            return plan.outcomes(for: jobs)
        }
    }

    /// Makes sure each user has a wallet and reads its deposit_balance (the transaction's
    /// `BEGIN IMMEDIATE` already holds the database's one write lock).
    private func lockWallets(_ users: [UUID], now: Date, on connection: SQLiteConnection) async throws -> [UUID: Amount] {
        guard !users.isEmpty else { return [:] }
        _ = try await connection.query(
            "INSERT INTO wallets (user_id, updated_at) VALUES \(users.indices.map { "(?\($0 + 2), ?1)" }.joined(separator: ", ")) ON CONFLICT (user_id) DO NOTHING",
            [SQLiteData(now)] + users.map(SQLiteData.init)
        )
        var balances: [UUID: Amount] = [:]
        for row in try await connection.query(
            "SELECT user_id, deposit_balance FROM wallets WHERE user_id IN (\(Self.placeholders(users.count)))", users.map(SQLiteData.init)
        ) {
            balances[try row.uuid("user_id")] = try row.amount("deposit_balance")
        }
        return balances
    }

    /// Inserts the ledger entries and stores each credited user's new balance, which
    /// ``SettlementPlan/applyBalances(_:)`` summed in Swift with ``Amount`` (SQLite
    /// would sum decimal text through floating point).
    private func applyCredits(
        _ credits: [SettlementPlan.Credit], balances: [UUID: Amount], now: Date, on connection: SQLiteConnection
    ) async throws {
        var binds: [SQLiteData] = [SQLiteData(now)]
        var values: [String] = []
        for credit in credits {
            let first = binds.count + 1
            values.append("(?\(first), ?\(first + 1), ?\(first + 2), ?1)")
            binds += [SQLiteData(credit.txID), SQLiteData(credit.user), .text(credit.amount.description)]
        }
        _ = try await connection.query(
            "INSERT INTO ledger_entries (tx_id, user_id, amount, created_at) VALUES \(values.joined(separator: ", "))", binds
        )
        try await self.faults.check(.afterLedgerInsert)
        var updateBinds: [SQLiteData] = [SQLiteData(now)]
        var updates: [String] = []
        for (user, balance) in balances {
            let first = updateBinds.count + 1
            updates.append("(?\(first), ?\(first + 1))")
            updateBinds += [SQLiteData(user), .text(balance.description)]
        }
        _ = try await connection.query(
            """
            WITH x(u, b) AS (VALUES \(updates.joined(separator: ", ")))
            UPDATE wallets SET deposit_balance = x.b, updated_at = ?1 FROM x WHERE wallets.user_id = x.u
            """,
            updateBinds
        )
    }

    /// SQLite's clock in the schema's unit (Unix milliseconds), evaluated in SQL so that due
    /// times and leases never depend on a process's clock. Constant within one statement.
    static let databaseNow = SQLDialect.sqlite.now

    /// `?1, ?2, …, ?count`.
    static func placeholders(_ count: Int) -> String {
        (1...max(1, count)).map { "?\($0)" }.joined(separator: ", ")
    }
}
