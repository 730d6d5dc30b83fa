import Foundation
import SQLiteNIO

extension SQLiteStore {
    /// Checks SPEC §3's invariants. Sums are computed in Swift with ``Amount`` (SQLite's
    /// own `sum()` would go through floating point).
    public func verify() async throws -> [InvariantViolation] {
        return try await self.withConnection { connection in
            var violations: [InvariantViolation] = []
            func collect(_ kind: InvariantViolation.Kind, _ sql: String, _ binds: [SQLiteData] = [], detail: (String) -> String) async throws {
                for row in try await connection.query(sql, binds) {
                    violations.append(InvariantViolation(kind: kind, subject: try row.text("subject"), detail: detail(try row.text("info"))))
                }
            }
            try await collect(
                .creditedWithoutLedgerEntry,
                """
                SELECT t.id AS subject, t.amount AS info FROM transactions t
                LEFT JOIN ledger_entries l ON l.tx_id = t.id
                WHERE t.state = 'credited' AND l.id IS NULL
                """
            ) { "credited \($0) with no ledger entry" }
            try await collect(
                .ledgerEntryWithoutCredit,
                """
                SELECT l.tx_id AS subject, COALESCE(t.state, 'missing') AS info FROM ledger_entries l
                LEFT JOIN transactions t ON t.id = l.tx_id
                WHERE t.state IS NOT 'credited'
                """
            ) { "ledger entry for a deposit in state \($0)" }
            try await collect(
                .expiredLease,
                """
                SELECT tx_id AS subject, locked_by AS info FROM deposit_jobs
                WHERE locked_until IS NOT NULL AND locked_until < CAST(unixepoch('subsec') * 1000 AS INTEGER)
                """,
                []
            ) { "lease held by \($0) has expired" }
            try await collect(
                .queuedWithoutJob,
                """
                SELECT t.id AS subject, t.state AS info FROM transactions t
                LEFT JOIN deposit_jobs j ON j.tx_id = t.id
                WHERE t.state = 'queued' AND j.tx_id IS NULL
                """
            ) { "deposit is \($0) but has no job" }
            try await collect(
                .jobForSettledDeposit,
                """
                SELECT j.tx_id AS subject, COALESCE(t.state, 'missing') AS info FROM deposit_jobs j
                LEFT JOIN transactions t ON t.id = j.tx_id
                WHERE t.state IS NOT 'queued'
                """
            ) { "job exists for a deposit in state \($0)" }

            var collisions: [TxHashCollisionRow] = []
            for row in try await connection.query(
                """
                SELECT id, chain, log_index, tx_hash, canonical, state FROM (
                    SELECT id, chain, log_index, tx_hash, state, created_at, canonical,
                           count(*) OVER (PARTITION BY chain, canonical, log_index) AS spellings
                    FROM (SELECT *, '0x' || lower(substr(tx_hash, -64)) AS canonical FROM transactions
                          WHERE (length(CAST(tx_hash AS BLOB)) = 64 AND tx_hash NOT GLOB '*[^0-9a-fA-F]*')
                             OR (length(CAST(tx_hash AS BLOB)) = 66 AND substr(tx_hash, 1, 2) IN ('0x', '0X')
                                 AND substr(tx_hash, 3) NOT GLOB '*[^0-9a-fA-F]*'))
                )
                WHERE spellings > 1
                ORDER BY chain, canonical, log_index, created_at, id
                """
            ) {
                collisions.append(TxHashCollisionRow(
                    txID: try row.text("id"), chain: try row.text("chain"), logIndex: try row.int("log_index"),
                    txHash: try row.text("tx_hash"), canonicalTxHash: try row.text("canonical"), state: try row.text("state")
                ))
            }
            violations.append(contentsOf: InvariantViolation.txHashCollisions(collisions))

            var sums: [String: Amount] = [:]
            for row in try await connection.query("SELECT user_id, amount FROM ledger_entries") {
                let user = try row.text("user_id")
                guard let total = (sums[user] ?? .zero).adding(try row.amount("amount")) else {
                    throw ServiceError(.storeFailure, "ledger sum exceeds the representable range")
                }
                sums[user] = total
            }
            var balances: [String: Amount] = [:]
            for row in try await connection.query("SELECT user_id, deposit_balance FROM wallets") {
                let balance = try row.amount("deposit_balance")
                balances[try row.text("user_id")] = balance
                if balance.units < 0 {
                    violations.append(InvariantViolation(kind: .negativeBalance, subject: try row.text("user_id"), detail: "deposit_balance \(balance)"))
                }
            }
            for user in Set(sums.keys).union(balances.keys).sorted() {
                let balance = balances[user] ?? .zero
                let total = sums[user] ?? .zero
                if balance != total {
                    violations.append(InvariantViolation(kind: .balanceMismatch, subject: user, detail: "deposit_balance \(balance) != \(total) (sum of ledger entries)"))
                }
            }
            return violations
        }
    }

    public func balanceCeilingRefusals() async throws -> Int {
        try await self.withConnection { connection in
            let rows = try await connection.query(
                "SELECT count(*) AS refused FROM transactions WHERE state = 'failed' AND failure_reason LIKE ?",
                [.text(Settlement.balanceCeilingReason + ":%")]
            )
            return Int(try rows.first?.int("refused") ?? 0)
        }
    }
}
