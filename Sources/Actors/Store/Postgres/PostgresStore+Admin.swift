import Foundation
import PostgresNIO

extension PostgresStore {
    public func createUser(username: String, telegramID: Int64?) async throws -> User {
        let user = User(id: UUID(), username: username, telegramID: telegramID)
        let now = self.clock.now()
        try await self.withTransaction { connection in
            try await connection.query(
                "INSERT INTO users (id, username, telegram_id, created_at) VALUES (\(user.id), \(username), \(telegramID), \(now))",
                logger: self.logger
            )
            try await connection.query("INSERT INTO wallets (user_id, updated_at) VALUES (\(user.id), \(now))", logger: self.logger)
        }
        return user
    }

    public func wallet(userID: UUID) async throws -> Wallet? {
        try await self.withConnection { connection in
            let rows = try await connection.query(
                "SELECT deposit_balance::text, winning_balance::text, bonus_balance::text FROM wallets WHERE user_id = \(userID)",
                logger: self.logger
            )
            for try await (deposit, winning, bonus) in rows.decode((String, String, String).self) {
                return Wallet(
                    userID: userID,
                    depositBalance: try Amount(parsing: deposit),
                    winningBalance: try Amount(parsing: winning),
                    bonusBalance: try Amount(parsing: bonus)
                )
            }
            return nil
        }
    }

    public func transaction(id: UUID) async throws -> TransactionStatus? {
        try await self.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT tx_hash, chain, log_index, state, confirmations, amount::text, currency, user_id, processed_at, failure_reason
                FROM transactions WHERE id = \(id)
                """,
                logger: self.logger
            )
            for try await row in rows.decode((String, String, Int64, String, Int64, String, String, UUID?, Date?, String?).self) {
                return TransactionStatus(
                    txID: id, txHash: row.0, chain: row.1, logIndex: row.2,
                    state: DepositState(rawValue: row.3) ?? .pending, confirmations: row.4,
                    amount: try Amount(parsing: row.5), currency: row.6, userID: row.7, processedAt: row.8,
                    failureReason: row.9
                )
            }
            return nil
        }
    }

    public func assign(txID: UUID, userID: UUID) async throws {
        try await self.apply(.assign(user: userID), to: txID)
    }

    public func requeue(txID: UUID) async throws {
        try await self.apply(.requeue, to: txID)
    }

    /// Locks the deposit, lets ``DepositTransition/check(_:)`` refuse it, then queues it
    /// with a fresh job and writes the transition's audit row.
    private func apply(_ transition: DepositTransition, to txID: UUID) async throws {
        let now = self.clock.now()
        try await self.withTransaction { connection in
            try transition.check(try await self.lockedState(txID, on: connection))
            switch transition {
            case .assign(let userID):
                var userExists = false
                for try await _ in try await connection.query("SELECT 1 FROM users WHERE id = \(userID)", logger: self.logger).decode(Int32.self) {
                    userExists = true
                }
                guard userExists else { throw ServiceError(.notFound, DepositTransition.unknownUser) }
                try await connection.query(
                    """
                    UPDATE transactions SET user_id = \(userID), state = \(transition.to.rawValue), processed_at = NULL, updated_at = \(now)
                    WHERE id = \(txID)
                    """,
                    logger: self.logger
                )
            case .requeue:
                try await connection.query(
                    "UPDATE transactions SET state = \(transition.to.rawValue), updated_at = \(now) WHERE id = \(txID)",
                    logger: self.logger
                )
            }
            try await self.enqueue(txID, now: now, on: connection)
            try await self.audit(txID, transition.audit, now: now, on: connection)
        }
    }

    /// The deposit's state, its row locked; nil when there is none.
    private func lockedState(_ txID: UUID, on connection: PostgresSession) async throws -> DepositState? {
        for try await state in try await connection.query(
            "SELECT state FROM transactions WHERE id = \(txID) FOR UPDATE",
            logger: self.logger
        ).decode(String.self) {
            if let state = DepositState(rawValue: state) { return state }
        }
        return nil
    }

    private func enqueue(_ txID: UUID, now: Date, on connection: PostgresSession) async throws {
        try await connection.query(
            """
            INSERT INTO deposit_jobs (tx_id, run_at, created_at) VALUES (\(txID), now(), now())
            ON CONFLICT (tx_id) DO UPDATE SET run_at = EXCLUDED.run_at, attempts = 0, locked_by = NULL,
                locked_until = NULL, lease_token = NULL, last_error = NULL
            """,
            logger: self.logger
        )
        try await connection.query(PostgresQuery(unsafeSQL: "NOTIFY \(PostgresStore.jobsChannel)"), logger: self.logger)
    }

    /// The monitor's figures, cheap at any table size: each state is counted through the
    /// state index up to ``StoreStatistics/countCap`` rows (so the count never scans the
    /// whole history), and ages are measured on the database's clock.
    public func statistics() async throws -> StoreStatistics {
        try await self.withConnection { connection in
            var deposits = Dictionary(uniqueKeysWithValues: DepositState.allCases.map { ($0, 0) })
            for try await (state, count) in try await connection.query(
                """
                SELECT s.state, (SELECT count(*) FROM (SELECT 1 FROM transactions t WHERE t.state = s.state LIMIT \(StoreStatistics.countCap)) c)
                FROM unnest(\(DepositState.allCases.map(\.rawValue))::text[]) AS s(state)
                """,
                logger: self.logger
            ).decode((String, Int).self) {
                if let state = DepositState(rawValue: state) { deposits[state] = count }
            }
            var depth = 0
            var dueAge = 0.0
            var jobAge = 0.0
            for try await (count, due, oldest) in try await connection.query(
                """
                SELECT count(*),
                       COALESCE(EXTRACT(EPOCH FROM now() - min(run_at) FILTER (WHERE \(unescaped: Self.claimable))), 0)::float8,
                       COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8
                FROM deposit_jobs
                """,
                logger: self.logger
            ).decode((Int, Double, Double).self) {
                depth = count
                dueAge = due
                jobAge = oldest
            }
            return StoreStatistics(
                deposits: deposits, queueDepth: depth,
                oldestDueAge: .milliseconds(Int64(max(0, dueAge) * 1000)), oldestJobAge: .milliseconds(Int64(max(0, jobAge) * 1000))
            )
        }
    }
}
