import Foundation
import SQLiteNIO

extension SQLiteStore {
    public func claimJob(owner: String, lease: Duration) async throws -> ClaimedJob? {
        let now = self.clock.now()
        let token = UUID()
        return try await self.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE deposit_jobs SET locked_by = ?1, locked_until = ?2, lease_token = ?3
                WHERE tx_id = (
                    SELECT tx_id FROM deposit_jobs
                    WHERE run_at <= ?4 AND (locked_until IS NULL OR locked_until <= ?4)
                    ORDER BY run_at
                    LIMIT 1
                )
                RETURNING tx_id, attempts
                """,
                [.text(owner), SQLiteData(now.adding(lease)), SQLiteData(token), SQLiteData(now)]
            )
            guard let row = rows.first else { return nil }
            return ClaimedJob(txID: try row.uuid("tx_id"), leaseToken: token, owner: owner, failedAttempts: Int(try row.int("attempts")))
        }
    }

    public func processJob(_ job: ClaimedJob) async throws -> JobOutcome {
        try await self.withTransaction { connection in
            let held = try await connection.query(
                "SELECT 1 FROM deposit_jobs WHERE tx_id = ? AND lease_token = ?",
                [SQLiteData(job.txID), SQLiteData(job.leaseToken)]
            )
            guard !held.isEmpty else { return .leaseLost }
            guard let row = try await connection.query(
                "SELECT state, chain_status, amount, user_ref, user_id FROM transactions WHERE id = ?",
                [SQLiteData(job.txID)]
            ).first, let state = DepositState(rawValue: try row.text("state")) else {
                throw ServiceError(.storeFailure, "job without a transaction")
            }
            let now = self.clock.now()
            let outcome: JobOutcome
            if state.isFinal {
                outcome = .alreadyFinal
            } else if try row.text("chain_status") == ChainStatus.failed.rawValue {
                try await self.settle(job.txID, state: .failed, userID: nil, now: now, detail: "chain reported failure", on: connection)
                outcome = .failed
            } else if let userID = try await self.resolveUser(
                assigned: row.optionalText("user_id").flatMap(UUID.init(uuidString:)),
                reference: row.optionalText("user_ref"),
                on: connection
            ) {
                let amount = try row.amount("amount")
                _ = try await connection.query(
                    "INSERT INTO ledger_entries (tx_id, user_id, amount, created_at) VALUES (?, ?, ?, ?)",
                    [SQLiteData(job.txID), SQLiteData(userID), .text(amount.description), SQLiteData(now)]
                )
                try await self.faults.check(.afterLedgerInsert)
                guard let wallet = try await connection.query(
                    "SELECT deposit_balance FROM wallets WHERE user_id = ?", [SQLiteData(userID)]
                ).first else {
                    throw ServiceError(.storeFailure, "user without a wallet")
                }
                guard let balance = try wallet.amount("deposit_balance").adding(amount) else {
                    throw ServiceError(.storeFailure, "deposit_balance would exceed the representable range")
                }
                _ = try await connection.query(
                    "UPDATE wallets SET deposit_balance = ?, updated_at = ? WHERE user_id = ?",
                    [.text(balance.description), SQLiteData(now), SQLiteData(userID)]
                )
                try await self.settle(job.txID, state: .credited, userID: userID, now: now, detail: "credited \(amount)", on: connection)
                outcome = .credited
            } else {
                try await self.settle(job.txID, state: .unmatched, userID: nil, now: now, detail: "no such user", on: connection)
                outcome = .unmatched
            }
            _ = try await connection.query(
                "DELETE FROM deposit_jobs WHERE tx_id = ? AND lease_token = ?",
                [SQLiteData(job.txID), SQLiteData(job.leaseToken)]
            )
            try await self.faults.check(.beforeCommit)
            return outcome
        }
    }

    private func resolveUser(assigned: UUID?, reference: String?, on connection: SQLiteConnection) async throws -> UUID? {
        guard let candidate = assigned ?? reference.flatMap(UUID.init(uuidString:)) else { return nil }
        guard !(try await connection.query("SELECT 1 FROM users WHERE id = ?", [SQLiteData(candidate)])).isEmpty else { return nil }
        _ = try await connection.query(
            "INSERT INTO wallets (user_id, updated_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
            [SQLiteData(candidate), SQLiteData(self.clock.now())]
        )
        return candidate
    }

    private func settle(_ txID: UUID, state: DepositState, userID: UUID?, now: Date, detail: String, on connection: SQLiteConnection) async throws {
        _ = try await connection.query(
            "UPDATE transactions SET state = ?, user_id = COALESCE(?, user_id), processed_at = ?, updated_at = ? WHERE id = ?",
            [.text(state.rawValue), userID.map(SQLiteData.init) ?? .null, SQLiteData(now), SQLiteData(now), SQLiteData(txID)]
        )
        try await self.audit(txID, actor: "worker", action: state.rawValue, detail: detail, now: now, on: connection)
    }

    func audit(_ txID: UUID?, actor: String, action: String, detail: String, now: Date, on connection: SQLiteConnection) async throws {
        _ = try await connection.query(
            "INSERT INTO audit_logs (tx_id, actor, action, detail, created_at) VALUES (?, ?, ?, ?, ?)",
            [txID.map(SQLiteData.init) ?? .null, .text(actor), .text(action), .text(detail), SQLiteData(now)]
        )
    }

    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        let now = self.clock.now()
        return try await self.withTransaction { connection in
            guard let row = try await connection.query(
                """
                UPDATE deposit_jobs SET attempts = attempts + 1, run_at = ?, last_error = ?,
                    locked_by = NULL, locked_until = NULL, lease_token = NULL
                WHERE tx_id = ? AND lease_token = ?
                RETURNING attempts
                """,
                [SQLiteData(now.adding(retryAfter)), .text(reason), SQLiteData(job.txID), SQLiteData(job.leaseToken)]
            ).first else { return nil }
            let attempts = try row.int("attempts")
            guard attempts >= maxAttempts else { return .queued }
            _ = try await connection.query("DELETE FROM deposit_jobs WHERE tx_id = ?", [SQLiteData(job.txID)])
            _ = try await connection.query(
                "UPDATE transactions SET state = 'dead', updated_at = ? WHERE id = ? AND state = 'queued'",
                [SQLiteData(now), SQLiteData(job.txID)]
            )
            try await self.audit(job.txID, actor: "worker", action: "dead", detail: "gave up after \(attempts) attempts: \(reason)", now: now, on: connection)
            return .dead
        }
    }

    public func releaseLeases(ownedBy owner: String) async throws -> Int {
        try await self.withConnection { connection in
            try await connection.query(
                "UPDATE deposit_jobs SET locked_by = NULL, locked_until = NULL, lease_token = NULL WHERE locked_by = ? RETURNING tx_id",
                [.text(owner)]
            ).count
        }
    }
}
