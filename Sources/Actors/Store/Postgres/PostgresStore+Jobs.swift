import Foundation
import PostgresNIO

extension PostgresStore {
    /// Writes the audit row a rule asked for.
    func audit(_ txID: UUID?, _ entry: AuditEntry, now: Date, on connection: PostgresSession) async throws {
        try await connection.query(
            """
            INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
            VALUES (\(txID), \(entry.actor), \(entry.action), \(entry.detail), \(now))
            """,
            logger: self.logger
        )
    }

    /// ``FailedAttempt`` decides between a retry and `dead`. The retry is due `retryAfter`
    /// from now on the database's clock. The `dead` path locks in the order `processJobs`
    /// does: the job row (by the first UPDATE), then the deposit.
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
            let decision = FailedAttempt.decide(attempts: attempts, maxAttempts: maxAttempts, reason: reason)
            guard case .dead(let audit) = decision else { return decision.state }
            try await connection.query("DELETE FROM deposit_jobs WHERE tx_id = \(job.txID)", logger: self.logger)
            try await connection.query(
                """
                UPDATE transactions SET state = \(decision.state.rawValue), updated_at = \(now)
                WHERE id = \(job.txID) AND state = \(DepositState.queued.rawValue)
                """,
                logger: self.logger
            )
            try await self.audit(job.txID, audit, now: now, on: connection)
            return decision.state
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
