import Foundation
import SQLiteNIO

extension SQLiteStore {
    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] {
        guard !records.isEmpty else { return [] }
        precondition(Set(records.map(\.key)).count == records.count, "one batch must not repeat a transfer")
        let now = SQLiteData(self.clock.now())
        let proposedIDs = records.map { _ in UUID() }

        var binds: [SQLiteData] = [now, .integer(Int(confirmationThreshold))]
        binds.reserveCapacity(2 + records.count * 13)
        var rows: [String] = []
        rows.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            let first = binds.count + 1
            binds.append(SQLiteData(proposedIDs[index]))
            binds.append(.text(record.chain))
            binds.append(.text(record.txHash))
            binds.append(.integer(Int(record.logIndex)))
            binds.append(.text(record.amount.description))
            binds.append(.text(record.currency))
            binds.append(.integer(Int(record.confirmations)))
            binds.append(.text(record.chainStatus.rawValue))
            binds.append(SQLiteData(record.toAddress))
            binds.append(SQLiteData(record.blockNumber))
            binds.append(SQLiteData(record.userRef))
            binds.append(SQLiteData(record.metadata))
            binds.append(.text(record.isReady(threshold: confirmationThreshold) ? DepositState.queued.rawValue : DepositState.pending.rawValue))
            rows.append("(" + (first..<(first + 13)).map { "?\($0)" }.joined(separator: ", ") + ", ?1, ?1)")
        }
        // `?1` is the batch's time and `?2` the threshold; each row's values follow.
        let upsert = """
            INSERT INTO transactions AS t (id, chain, tx_hash, log_index, amount, currency, confirmations, chain_status,
                                           to_address, block_number, user_ref, metadata, state, created_at, updated_at)
            VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (chain, tx_hash, log_index) DO UPDATE SET
                confirmations = max(t.confirmations, excluded.confirmations),
                chain_status = CASE WHEN t.state = 'pending' AND excluded.chain_status <> 'pending'
                                    THEN excluded.chain_status ELSE t.chain_status END,
                state = CASE WHEN t.state = 'pending' AND (
                                 excluded.chain_status = 'failed'
                                 OR (excluded.chain_status = 'confirmed' AND max(t.confirmations, excluded.confirmations) >= ?2)
                                 OR (excluded.chain_status = 'pending' AND t.chain_status = 'confirmed'
                                     AND max(t.confirmations, excluded.confirmations) >= ?2))
                             THEN 'queued' ELSE t.state END,
                updated_at = excluded.updated_at
            WHERE t.amount = excluded.amount AND t.currency = excluded.currency AND t.user_ref IS excluded.user_ref
            RETURNING id, chain, tx_hash, log_index, state
            """

        return try await self.withTransaction { connection in
            var stored: [DepositRecord.Key: (id: UUID, state: String)] = [:]
            for row in try await connection.query(upsert, binds) {
                let key = DepositRecord.Key(chain: try row.text("chain"), txHash: try row.text("tx_hash"), logIndex: try row.int("log_index"))
                stored[key] = (try row.uuid("id"), try row.text("state"))
            }
            let queuedIDs = stored.values.filter { $0.state == DepositState.queued.rawValue }.map(\.id)
            var created: Set<UUID> = []
            if !queuedIDs.isEmpty {
                // Due on SQLite's clock, like every due time and lease.
                let jobBinds = queuedIDs.map(SQLiteData.init)
                let values = (1...queuedIDs.count).map { "(?\($0), \(Self.databaseNow), \(Self.databaseNow))" }.joined(separator: ", ")
                for row in try await connection.query(
                    "INSERT INTO deposit_jobs (tx_id, run_at, created_at) VALUES \(values) ON CONFLICT (tx_id) DO NOTHING RETURNING tx_id",
                    jobBinds
                ) {
                    created.insert(try row.uuid("tx_id"))
                }
            }
            var results: [IngestResult] = []
            results.reserveCapacity(records.count)
            for (index, record) in records.enumerated() {
                if let row = stored[record.key] {
                    let outcome = IngestResult.Outcome.accepted(created: row.id == proposedIDs[index], queued: created.contains(row.id))
                    results.append(IngestResult(txID: row.id, outcome: outcome))
                } else {
                    results.append(try await self.describeConflict(record, on: connection))
                }
            }
            try await self.faults.check(.ingestBeforeCommit)
            return results
        }
    }

    private func describeConflict(_ record: DepositRecord, on connection: SQLiteConnection) async throws -> IngestResult {
        let rows = try await connection.query(
            "SELECT id, amount, currency, user_ref FROM transactions WHERE chain = ? AND tx_hash = ? AND log_index = ?",
            [.text(record.chain), .text(record.txHash), .integer(Int(record.logIndex))]
        )
        guard let row = rows.first else { throw ServiceError(.storeFailure, "a refused repeat has no stored row") }
        var existing = record
        existing.amount = try row.amount("amount")
        existing.currency = try row.text("currency")
        existing.userRef = row.optionalText("user_ref")
        let reason = existing.conflict(with: record) ?? "differs from the recorded transfer"
        return IngestResult(txID: try row.uuid("id"), outcome: .conflict(reason: reason))
    }
}
