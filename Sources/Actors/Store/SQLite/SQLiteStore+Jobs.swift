import Foundation
import SQLiteNIO

extension SQLiteStore {
    /// Writes the audit row a rule asked for.
    func audit(_ txID: UUID?, _ entry: AuditEntry, now: Date, on connection: SQLiteConnection) async throws {
        _ = try await connection.query(
            "INSERT INTO audit_logs (tx_id, actor, action, detail, created_at) VALUES (?, ?, ?, ?, ?)",
            [txID.map(SQLiteData.init) ?? .null, .text(entry.actor), .text(entry.action), .text(entry.detail), SQLiteData(now)]
        )
    }

    /// ``FailedAttempt`` decides between a retry (due `retryAfter` from now on SQLite's
    /// clock) and `dead`.
    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        let now = self.clock.now()
        return try await self.withTransaction { connection in
            guard let row = try await connection.query(
                """
                UPDATE deposit_jobs SET attempts = attempts + 1, run_at = \(Self.databaseNow) + ?1, last_error = ?2,
                    locked_by = NULL, locked_until = NULL, lease_token = NULL
                WHERE tx_id = ?3 AND lease_token = ?4
                RETURNING attempts
                """,
                [.integer(Int(retryAfter.wholeMilliseconds)), .text(reason), SQLiteData(job.txID), SQLiteData(job.leaseToken)]
            ).first else { return nil }
            let decision = FailedAttempt.decide(attempts: Int(try row.int("attempts")), maxAttempts: maxAttempts, reason: reason)
            guard case .dead(let audit) = decision else { return decision.state }
            _ = try await connection.query("DELETE FROM deposit_jobs WHERE tx_id = ?", [SQLiteData(job.txID)])
            _ = try await connection.query(
                "UPDATE transactions SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                [.text(decision.state.rawValue), SQLiteData(now), SQLiteData(job.txID), .text(DepositState.queued.rawValue)]
            )
            try await self.audit(job.txID, audit, now: now, on: connection)
            return decision.state
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
