import Foundation
import SQLiteNIO

extension SQLiteStore {
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
                UPDATE deposit_jobs SET attempts = attempts + 1, run_at = \(Self.databaseNow) + ?1, last_error = ?2,
                    locked_by = NULL, locked_until = NULL, lease_token = NULL
                WHERE tx_id = ?3 AND lease_token = ?4
                RETURNING attempts
                """,
                [.integer(Int(retryAfter.wholeMilliseconds)), .text(reason), SQLiteData(job.txID), SQLiteData(job.leaseToken)]
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
