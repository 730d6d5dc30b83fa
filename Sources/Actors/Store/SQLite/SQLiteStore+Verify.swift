import Foundation
import SQLiteNIO

extension SQLiteStore {
    /// ``InvariantCatalogue/queriedKinds`` rendered for SQLite.
    static let invariantQueries = InvariantCatalogue.queriedKinds.map { ($0, InvariantCatalogue.query($0, in: .sqlite)!) }
    /// ``InvariantCatalogue/collisionQuery(in:)`` rendered for SQLite.
    static let collisionQuery = InvariantCatalogue.collisionQuery(in: .sqlite)

    /// Checks the ``InvariantCatalogue`` (docs/API.md "Invariants"). Ledger sums are
    /// computed in Swift with ``Amount`` (SQLite's own `sum()` would go through floating point).
    public func verify() async throws -> [InvariantViolation] {
        return try await self.withConnection { connection in
            var violations: [InvariantViolation] = []
            for (kind, query) in Self.invariantQueries {
                for row in try await connection.query(query) {
                    violations.append(InvariantViolation(
                        kind: kind, subject: try row.text("subject"), detail: InvariantCatalogue.detail(kind, info: try row.text("info"))
                    ))
                }
            }

            var collisions: [TxHashCollisionRow] = []
            for row in try await connection.query(Self.collisionQuery) {
                collisions.append(TxHashCollisionRow(
                    txID: try row.text("id"), chain: try row.text("chain"), logIndex: try row.int("log_index"),
                    txHash: try row.text("tx_hash"), canonicalTxHash: try row.text("canonical"), state: try row.text("state")
                ))
            }
            violations.append(contentsOf: InvariantViolation.txHashCollisions(collisions))

            var sums = InvariantCatalogue.LedgerSums()
            for row in try await connection.query("SELECT user_id, amount FROM ledger_entries") {
                try sums.add(try row.amount("amount"), to: try row.text("user_id"))
            }
            var balances: [String: Amount] = [:]
            for row in try await connection.query("SELECT user_id, deposit_balance FROM wallets") {
                balances[try row.text("user_id")] = try row.amount("deposit_balance")
            }
            violations.append(contentsOf: InvariantCatalogue.balanceViolations(balances: balances, ledgerSums: sums.totals))
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
