import Foundation
import SQLiteNIO

extension SQLiteStore {
    public func createUser(username: String, telegramID: Int64?) async throws -> User {
        let user = User(id: UUID(), username: username, telegramID: telegramID)
        let now = SQLiteData(self.clock.now())
        try await self.withTransaction { connection in
            _ = try await connection.query(
                "INSERT INTO users (id, username, telegram_id, created_at) VALUES (?, ?, ?, ?)",
                [SQLiteData(user.id), .text(username), SQLiteData(telegramID), now]
            )
            _ = try await connection.query("INSERT INTO wallets (user_id, updated_at) VALUES (?, ?)", [SQLiteData(user.id), now])
        }
        return user
    }

    public func wallet(userID: UUID) async throws -> Wallet? {
        try await self.withConnection { connection in
            guard let row = try await connection.query(
                "SELECT deposit_balance, winning_balance, bonus_balance FROM wallets WHERE user_id = ?", [SQLiteData(userID)]
            ).first else { return nil }
            return Wallet(
                userID: userID,
                depositBalance: try row.amount("deposit_balance"),
                winningBalance: try row.amount("winning_balance"),
                bonusBalance: try row.amount("bonus_balance")
            )
        }
    }

    public func transaction(id: UUID) async throws -> TransactionStatus? {
        try await self.withConnection { connection in
            guard let row = try await connection.query(
                """
                SELECT tx_hash, chain, log_index, state, confirmations, amount, currency, user_id, processed_at, failure_reason
                FROM transactions WHERE id = ?
                """,
                [SQLiteData(id)]
            ).first else { return nil }
            return TransactionStatus(
                txID: id,
                txHash: try row.text("tx_hash"),
                chain: try row.text("chain"),
                logIndex: try row.int("log_index"),
                state: DepositState(rawValue: try row.text("state")) ?? .pending,
                confirmations: try row.int("confirmations"),
                amount: try row.amount("amount"),
                currency: try row.text("currency"),
                userID: row.optionalText("user_id").flatMap(UUID.init(uuidString:)),
                processedAt: (try? row.int("processed_at")).map(Date.init(unixMilliseconds:)),
                failureReason: row.optionalText("failure_reason")
            )
        }
    }

    public func assign(txID: UUID, userID: UUID) async throws {
        try await self.apply(.assign(user: userID), to: txID)
    }

    public func requeue(txID: UUID) async throws {
        try await self.apply(.requeue, to: txID)
    }

    /// Reads the deposit's state (the transaction's `BEGIN IMMEDIATE` holds the write lock),
    /// lets ``DepositTransition/check(_:)`` refuse it, then queues it with a fresh job and
    /// writes the transition's audit row.
    private func apply(_ transition: DepositTransition, to txID: UUID) async throws {
        let now = self.clock.now()
        try await self.withTransaction { connection in
            try transition.check(try await self.state(of: txID, on: connection))
            switch transition {
            case .assign(let userID):
                guard !(try await connection.query("SELECT 1 FROM users WHERE id = ?", [SQLiteData(userID)])).isEmpty else {
                    throw ServiceError(.notFound, DepositTransition.unknownUser)
                }
                _ = try await connection.query(
                    "UPDATE transactions SET user_id = ?, state = ?, processed_at = NULL, updated_at = ? WHERE id = ?",
                    [SQLiteData(userID), .text(transition.to.rawValue), SQLiteData(now), SQLiteData(txID)]
                )
            case .requeue:
                _ = try await connection.query(
                    "UPDATE transactions SET state = ?, updated_at = ? WHERE id = ?",
                    [.text(transition.to.rawValue), SQLiteData(now), SQLiteData(txID)]
                )
            }
            try await self.enqueue(txID, now: now, on: connection)
            try await self.audit(txID, transition.audit, now: now, on: connection)
        }
    }

    /// The deposit's state; nil when there is none.
    private func state(of txID: UUID, on connection: SQLiteConnection) async throws -> DepositState? {
        guard let row = try await connection.query("SELECT state FROM transactions WHERE id = ?", [SQLiteData(txID)]).first else { return nil }
        return DepositState(rawValue: try row.text("state"))
    }

    private func enqueue(_ txID: UUID, now: Date, on connection: SQLiteConnection) async throws {
        _ = try await connection.query(
            """
            INSERT INTO deposit_jobs (tx_id, run_at, created_at) VALUES (?1, \(Self.databaseNow), \(Self.databaseNow))
            ON CONFLICT (tx_id) DO UPDATE SET run_at = excluded.run_at, attempts = 0, locked_by = NULL,
                locked_until = NULL, lease_token = NULL, last_error = NULL
            """,
            [SQLiteData(txID)]
        )
    }

    /// The monitor's figures, cheap at any table size: each state is counted through the
    /// state index up to ``StoreStatistics/countCap`` rows, and ages are measured on
    /// SQLite's clock.
    public func statistics() async throws -> StoreStatistics {
        try await self.withConnection { connection in
            var deposits = Dictionary(uniqueKeysWithValues: DepositState.allCases.map { ($0, 0) })
            for state in DepositState.allCases {
                let row = try await connection.query(
                    "SELECT count(*) AS n FROM (SELECT 1 FROM transactions WHERE state = ?1 LIMIT ?2)",
                    [.text(state.rawValue), .integer(StoreStatistics.countCap)]
                ).first
                deposits[state] = Int((try? row?.int("n")) ?? 0)
            }
            let row = try await connection.query(
                """
                SELECT count(*) AS depth, \(Self.databaseNow) AS now,
                       min(CASE WHEN \(Self.claimable) THEN run_at END) AS oldest_due,
                       min(created_at) AS oldest
                FROM deposit_jobs
                """
            ).first
            let depth = Int((try? row?.int("depth")) ?? 0)
            let now = (try? row?.int("now")) ?? 0
            let dueAge = (try? row?.int("oldest_due")).map { max(0, now - $0) } ?? 0
            let jobAge = (try? row?.int("oldest")).map { max(0, now - $0) } ?? 0
            return StoreStatistics(
                deposits: deposits, queueDepth: depth, oldestDueAge: .milliseconds(dueAge), oldestJobAge: .milliseconds(jobAge)
            )
        }
    }
}
