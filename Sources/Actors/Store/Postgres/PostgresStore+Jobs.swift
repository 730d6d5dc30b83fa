import Foundation
import PostgresNIO

extension PostgresStore {
    public func claimJob(owner: String, lease: Duration) async throws -> ClaimedJob? {
        let now = self.clock.now()
        let token = UUID()
        return try await self.withConnection { connection in
            let rows = try await connection.query(
                """
                UPDATE deposit_jobs SET locked_by = \(owner), locked_until = \(now.adding(lease)), lease_token = \(token)
                WHERE tx_id = (
                    SELECT tx_id FROM deposit_jobs
                    WHERE run_at <= \(now) AND (locked_until IS NULL OR locked_until <= \(now))
                    ORDER BY run_at
                    LIMIT 1
                    FOR UPDATE SKIP LOCKED
                )
                RETURNING tx_id, attempts
                """,
                logger: self.logger
            )
            for try await (txID, attempts) in rows.decode((UUID, Int).self) {
                return ClaimedJob(txID: txID, leaseToken: token, owner: owner, failedAttempts: attempts)
            }
            return nil
        }
    }

    public func processJob(_ job: ClaimedJob) async throws -> JobOutcome {
        try await self.withTransaction { connection in
            // Fencing: the job must still carry our token; the row lock keeps it so until commit.
            var held = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM deposit_jobs WHERE tx_id = \(job.txID) AND lease_token = \(job.leaseToken) FOR UPDATE",
                logger: self.logger
            ).decode(Int32.self) {
                held = true
            }
            guard held else { return .leaseLost }

            let rows = try await connection.query(
                "SELECT state, chain_status, amount::text, user_ref, user_id FROM transactions WHERE id = \(job.txID) FOR UPDATE",
                logger: self.logger
            )
            var found: (state: String, chainStatus: String, amount: String, userRef: String?, userID: UUID?)?
            for try await row in rows.decode((String, String, String, String?, UUID?).self) {
                found = row
            }
            guard let row = found, let state = DepositState(rawValue: row.state) else {
                throw ServiceError(.storeFailure, "job without a transaction")
            }
            let now = self.clock.now()
            let outcome: JobOutcome
            if state.isFinal {
                outcome = .alreadyFinal
            } else if row.chainStatus == ChainStatus.failed.rawValue {
                try await self.settle(job.txID, state: .failed, userID: nil, now: now, detail: "chain reported failure", on: connection)
                outcome = .failed
            } else if let userID = try await self.resolveUser(assigned: row.userID, reference: row.userRef, on: connection) {
                let amount = try Amount(parsing: row.amount)
                try await connection.query(
                    "INSERT INTO ledger_entries (tx_id, user_id, amount, created_at) VALUES (\(job.txID), \(userID), \(amount.description)::numeric, \(now))",
                    logger: self.logger
                )
                try await self.faults.check(.afterLedgerInsert)
                try await connection.query(
                    """
                    UPDATE wallets SET deposit_balance = deposit_balance + \(amount.description)::numeric, updated_at = \(now)
                    WHERE user_id = \(userID)
                    """,
                    logger: self.logger
                )
                try await self.settle(job.txID, state: .credited, userID: userID, now: now, detail: "credited \(amount)", on: connection)
                outcome = .credited
            } else {
                try await self.settle(job.txID, state: .unmatched, userID: nil, now: now, detail: "no such user", on: connection)
                outcome = .unmatched
            }
            try await connection.query("DELETE FROM deposit_jobs WHERE tx_id = \(job.txID) AND lease_token = \(job.leaseToken)", logger: self.logger)
            try await self.faults.check(.beforeCommit)
            return outcome
        }
    }

    /// The user to credit: the one an admin assigned, else `user_ref` if it is the UUID of
    /// an existing user (whose wallet is created if missing).
    private func resolveUser(assigned: UUID?, reference: String?, on connection: PostgresConnection) async throws -> UUID? {
        guard let candidate = assigned ?? reference.flatMap(UUID.init(uuidString:)) else { return nil }
        var exists = false
        for try await _ in try await connection.query("SELECT 1 FROM users WHERE id = \(candidate)", logger: self.logger).decode(Int32.self) {
            exists = true
        }
        guard exists else { return nil }
        try await connection.query(
            "INSERT INTO wallets (user_id, updated_at) VALUES (\(candidate), \(self.clock.now())) ON CONFLICT (user_id) DO NOTHING",
            logger: self.logger
        )
        return candidate
    }

    private func settle(_ txID: UUID, state: DepositState, userID: UUID?, now: Date, detail: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE transactions SET state = \(state.rawValue), user_id = COALESCE(\(userID), user_id),
                processed_at = \(now), updated_at = \(now)
            WHERE id = \(txID)
            """,
            logger: self.logger
        )
        try await self.audit(txID, actor: "worker", action: state.rawValue, detail: detail, now: now, on: connection)
    }

    func audit(_ txID: UUID?, actor: String, action: String, detail: String, now: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            "INSERT INTO audit_logs (tx_id, actor, action, detail, created_at) VALUES (\(txID), \(actor), \(action), \(detail), \(now))",
            logger: self.logger
        )
    }

    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        let now = self.clock.now()
        return try await self.withTransaction { connection in
            var attempts: Int?
            for try await value in try await connection.query(
                """
                UPDATE deposit_jobs SET attempts = attempts + 1, run_at = \(now.adding(retryAfter)), last_error = \(reason),
                    locked_by = NULL, locked_until = NULL, lease_token = NULL
                WHERE tx_id = \(job.txID) AND lease_token = \(job.leaseToken)
                RETURNING attempts
                """,
                logger: self.logger
            ).decode(Int.self) {
                attempts = value
            }
            guard let attempts else { return nil }
            guard attempts >= maxAttempts else { return .queued }
            try await connection.query("DELETE FROM deposit_jobs WHERE tx_id = \(job.txID)", logger: self.logger)
            try await connection.query(
                "UPDATE transactions SET state = 'dead', updated_at = \(now) WHERE id = \(job.txID) AND state = 'queued'",
                logger: self.logger
            )
            try await self.audit(job.txID, actor: "worker", action: "dead", detail: "gave up after \(attempts) attempts: \(reason)", now: now, on: connection)
            return .dead
        }
    }

    public func releaseLeases(ownedBy owner: String) async throws -> Int {
        try await self.withConnection { connection in
            var released = 0
            for try await _ in try await connection.query(
                """
                UPDATE deposit_jobs SET locked_by = NULL, locked_until = NULL, lease_token = NULL
                WHERE locked_by = \(owner)
                RETURNING tx_id
                """,
                logger: self.logger
            ).decode(UUID.self) {
                released += 1
            }
            return released
        }
    }
}
