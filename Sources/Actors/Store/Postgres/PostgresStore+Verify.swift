import Foundation
import PostgresNIO

extension PostgresStore {
    /// ``InvariantCatalogue/queriedKinds`` rendered for PostgreSQL.
    static let invariantQueries = InvariantCatalogue.queriedKinds.map { ($0, InvariantCatalogue.query($0, in: .postgres)!) }
    /// ``InvariantCatalogue/collisionQuery(in:)`` rendered for PostgreSQL.
    static let collisionQuery = InvariantCatalogue.collisionQuery(in: .postgres)

    /// Checks the ``InvariantCatalogue`` (docs/API.md "Invariants") in one read-only snapshot.
    public func verify() async throws -> [InvariantViolation] {
        return try await self.withConnection { connection in
            // One snapshot for every check, and nothing written (a failure leaves the
            // transaction to the server: the pool closes the connection).
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            var violations: [InvariantViolation] = []
            for (kind, query) in Self.invariantQueries {
                for try await (subject, info) in try await connection.query(PostgresQuery(unsafeSQL: query), logger: self.logger)
                    .decode((String, String).self) {
                    violations.append(InvariantViolation(kind: kind, subject: subject, detail: InvariantCatalogue.detail(kind, info: info)))
                }
            }

            var collisions: [TxHashCollisionRow] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: Self.collisionQuery), logger: self.logger)
            for try await (id, chain, logIndex, txHash, canonical, state) in rows.decode((String, String, Int64, String, String, String).self) {
                collisions.append(TxHashCollisionRow(txID: id, chain: chain, logIndex: logIndex, txHash: txHash, canonicalTxHash: canonical, state: state))
            }
            violations.append(contentsOf: InvariantViolation.txHashCollisions(collisions))

            // Sums in NUMERIC; SQL only narrows the wallets to those that may be wrong, the
            // catalogue's check decides and words them as on SQLite.
            var balances: [String: Amount] = [:]
            var sums: [String: Amount] = [:]
            for try await (user, balance, total) in try await connection.query(
                """
                SELECT u.user_id::text, COALESCE(w.deposit_balance, 0)::text, COALESCE(s.total, 0)::text
                FROM (SELECT user_id FROM wallets UNION SELECT user_id FROM ledger_entries) u
                LEFT JOIN wallets w ON w.user_id = u.user_id
                LEFT JOIN (SELECT user_id, sum(amount) AS total FROM ledger_entries GROUP BY user_id) s ON s.user_id = u.user_id
                WHERE COALESCE(w.deposit_balance, 0) <> COALESCE(s.total, 0) OR COALESCE(w.deposit_balance, 0) < 0
                """,
                logger: self.logger
            ).decode((String, String, String).self) {
                balances[user] = try Amount(parsing: balance)
                guard let sum = try? Amount(parsing: total) else { throw InvariantCatalogue.LedgerSums.outOfRange }
                sums[user] = sum
            }
            violations.append(contentsOf: InvariantCatalogue.balanceViolations(balances: balances, ledgerSums: sums))
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
