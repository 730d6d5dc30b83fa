import Foundation
import PostgresNIO

extension PostgresStore {
    public func verify() async throws -> [InvariantViolation] {
        return try await self.withConnection { connection in
            // One snapshot for every check, and nothing written (a failure leaves the
            // transaction to the server: the pool closes the connection).
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            var violations: [InvariantViolation] = []
            func collect(_ kind: InvariantViolation.Kind, _ query: PostgresQuery, detail: (String) -> String) async throws {
                for try await (subject, info) in try await connection.query(query, logger: self.logger).decode((String, String).self) {
                    violations.append(InvariantViolation(kind: kind, subject: subject, detail: detail(info)))
                }
            }
            try await collect(
                .creditedWithoutLedgerEntry,
                """
                SELECT t.id::text, t.amount::text FROM transactions t
                LEFT JOIN ledger_entries l ON l.tx_id = t.id
                WHERE t.state = 'credited' AND l.id IS NULL
                """
            ) { "credited \($0) with no ledger entry" }
            try await collect(
                .ledgerEntryWithoutCredit,
                """
                SELECT l.tx_id::text, COALESCE(t.state, 'missing') FROM ledger_entries l
                LEFT JOIN transactions t ON t.id = l.tx_id
                WHERE t.state IS DISTINCT FROM 'credited'
                """
            ) { "ledger entry for a deposit in state \($0)" }
            try await collect(
                .balanceMismatch,
                """
                SELECT u.user_id::text, COALESCE(w.deposit_balance, 0)::text || ' != ' || COALESCE(s.total, 0)::text
                FROM (SELECT user_id FROM wallets UNION SELECT user_id FROM ledger_entries) u
                LEFT JOIN wallets w ON w.user_id = u.user_id
                LEFT JOIN (SELECT user_id, sum(amount) AS total FROM ledger_entries GROUP BY user_id) s ON s.user_id = u.user_id
                WHERE COALESCE(w.deposit_balance, 0) <> COALESCE(s.total, 0)
                """
            ) { "deposit_balance \($0) (sum of ledger entries)" }
            try await collect(
                .expiredLease,
                """
                SELECT tx_id::text, locked_by FROM deposit_jobs
                WHERE locked_until IS NOT NULL AND locked_until < now()
                """
            ) { "lease held by \($0) has expired" }
            try await collect(
                .queuedWithoutJob,
                """
                SELECT t.id::text, t.state FROM transactions t
                LEFT JOIN deposit_jobs j ON j.tx_id = t.id
                WHERE t.state = 'queued' AND j.tx_id IS NULL
                """
            ) { "deposit is \($0) but has no job" }
            try await collect(
                .jobForSettledDeposit,
                """
                SELECT j.tx_id::text, COALESCE(t.state, 'missing') FROM deposit_jobs j
                LEFT JOIN transactions t ON t.id = j.tx_id
                WHERE t.state IS DISTINCT FROM 'queued'
                """
            ) { "job exists for a deposit in state \($0)" }

            var collisions: [TxHashCollisionRow] = []
            let rows = try await connection.query(
                """
                SELECT id::text, chain, log_index, tx_hash, canonical, state FROM (
                    SELECT id, chain, log_index, tx_hash, state, created_at, canonical,
                           count(*) OVER (PARTITION BY chain, canonical, log_index) AS spellings
                    FROM (SELECT *, '0x' || lower(right(tx_hash, 64)) AS canonical FROM transactions
                          WHERE tx_hash ~ '^(0[xX])?[0-9a-fA-F]{64}$') hex
                ) c
                WHERE spellings > 1
                ORDER BY chain, canonical, log_index, created_at, id
                """,
                logger: self.logger
            )
            for try await (id, chain, logIndex, txHash, canonical, state) in rows.decode((String, String, Int64, String, String, String).self) {
                collisions.append(TxHashCollisionRow(txID: id, chain: chain, logIndex: logIndex, txHash: txHash, canonicalTxHash: canonical, state: state))
            }
            violations.append(contentsOf: InvariantViolation.txHashCollisions(collisions))
            try await connection.query("COMMIT", logger: self.logger)
            return violations
        }
    }

    public func balanceCeilingRefusals() async throws -> Int {
        try await self.withConnection { connection in
            var refused = 0
            for try await count in try await connection.query(
                "SELECT count(*)::bigint FROM transactions WHERE state = 'failed' AND failure_reason LIKE \(Settlement.balanceCeilingReason + ":%")",
                logger: self.logger
            ).decode(Int.self) {
                refused = count
            }
            return refused
        }
    }
}
