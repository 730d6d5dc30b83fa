import Foundation
import SQLiteNIO

extension SQLiteStore {
    /// How a repeat updates the stored deposit (``IngestRule``); `?2` is the threshold.
    static let ingestOnConflict = IngestRule.onConflictSQL(threshold: "?2", in: .sqlite)

    /// Records the batch with one upsert whose conflict clause applies ``IngestRule`` to
    /// repeats (first sightings get their state from ``IngestRule/initialState(of:threshold:)``),
    /// then one insert of the jobs of the deposits it queued.
    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] {
        guard !records.isEmpty else { return [] }
        precondition(Set(records.map(\.key)).count == records.count, "one batch must not repeat a transfer")
        let now = SQLiteData(self.clock.now())
        let proposedIDs = self.ids.next(records.count)

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
            binds.append(.text(IngestRule.initialState(of: record, threshold: confirmationThreshold).rawValue))
            rows.append("(" + (first..<(first + 13)).map { "?\($0)" }.joined(separator: ", ") + ", ?1, ?1)")
        }
        // `?1` is the batch's time and `?2` the threshold; each row's values follow.
        let upsert = """
            INSERT INTO transactions AS t (id, chain, tx_hash, log_index, amount, currency, confirmations, chain_status,
                                           to_address, block_number, user_ref, metadata, state, created_at, updated_at)
            VALUES \(rows.joined(separator: ", "))
            \(Self.ingestOnConflict)
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
        let stored = IngestRule.Terms(amount: try row.amount("amount"), currency: try row.text("currency"), userRef: row.optionalText("user_ref"))
        let reason = IngestRule.conflict(stored, IngestRule.Terms(record)) ?? IngestRule.unexplainedConflict
        return IngestResult(txID: try row.uuid("id"), outcome: .conflict(reason: reason))
    }
}
