import Foundation
import PostgresNIO

extension PostgresStore {
    func audit(_ txID: UUID?, actor: String, action: String, detail: String, now: Date, on connection: PostgresSession) async throws {
        try await connection.query(
            "INSERT INTO audit_logs (tx_id, actor, action, detail, created_at) VALUES (\(txID), \(actor), \(action), \(detail), \(now))",
            logger: self.logger
        )
    }

    /// The retry is due `retryAfter` from now on the database's clock. The `dead` path locks
    /// in the order `processJobs` does: the job row (by the first UPDATE), then the deposit.
    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        let now = self.clock.now()
        return try await self.withTransaction { connection in
            var attempts: Int?
            for try await value in try await connection.query(
                """
                UPDATE deposit_jobs SET attempts = attempts + 1, run_at = now() + make_interval(secs => \(retryAfter.seconds)),
                    last_error = \(reason),
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
