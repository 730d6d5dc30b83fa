import Foundation
import PostgresNIO

extension PostgresStore {
    /// How a repeat updates the stored deposit (``IngestRule``); `$2` is the threshold.
    static let ingestOnConflict = IngestRule.onConflictSQL(threshold: "$2", in: .postgres)

    /// Records the batch with one statement: an upsert whose conflict clause applies
    /// ``IngestRule`` to repeats (first sightings get their state from
    /// ``IngestRule/initialState(of:threshold:)``), and the jobs of the deposits it queued.
    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] {
        guard !records.isEmpty else { return [] }
        precondition(Set(records.map(\.key)).count == records.count, "one batch must not repeat a transfer")
        let now = self.clock.now()
        // Rows go in byte order of their key (as `COLLATE "C"` orders them in processJobs) so
        // concurrent batches and workers take row locks in one order. Jobs are due on the
        // database's clock (`now()`).
        let order = records.indices.sorted { records[$0].key.precedesInByteOrder(records[$1].key) }
        let proposedIDs = records.map { _ in UUID() }

        var binds = PostgresBindings(capacity: 2 + records.count * 13)
        binds.append(now)
        binds.append(confirmationThreshold)
        var rows: [String] = []
        rows.reserveCapacity(records.count)
        for index in order {
            let record = records[index]
            let first = binds.count + 1
            binds.append(proposedIDs[index])
            binds.append(record.chain)
            binds.append(record.txHash)
            binds.append(record.logIndex)
            binds.append(record.amount.description)
            binds.append(record.currency)
            binds.append(record.confirmations)
            binds.append(record.chainStatus.rawValue)
            binds.append(record.toAddress)
            binds.append(record.blockNumber)
            binds.append(record.userRef)
            binds.append(record.metadata)
            binds.append(IngestRule.initialState(of: record, threshold: confirmationThreshold).rawValue)
            let p = (first..<(first + 13)).map { "$\($0)" }
            rows.append(
                "(\(p[0])::uuid, \(p[1]), \(p[2]), \(p[3])::int8, \(p[4])::numeric, \(p[5]), \(p[6])::int8, \(p[7]), \(p[8]), \(p[9])::int8, \(p[10]), \(p[11])::json, \(p[12]), $1, $1)"
            )
        }
        let sql = """
            WITH upsert AS (
                INSERT INTO transactions AS t (id, chain, tx_hash, log_index, amount, currency, confirmations, chain_status,
                                               to_address, block_number, user_ref, metadata, state, created_at, updated_at)
                VALUES \(rows.joined(separator: ", "))
                \(Self.ingestOnConflict)
                RETURNING t.id, t.chain, t.tx_hash, t.log_index, t.state
            ), jobs AS (
                INSERT INTO deposit_jobs (tx_id, run_at, created_at)
                SELECT id, now(), now() FROM upsert WHERE state = 'queued'
                ON CONFLICT (tx_id) DO NOTHING
                RETURNING tx_id
            )
            SELECT u.id, u.chain, u.tx_hash, u.log_index, j.tx_id IS NOT NULL
            FROM upsert u LEFT JOIN jobs j ON j.tx_id = u.id
            """

        return try await self.withTransaction { connection in
            var stored: [DepositRecord.Key: (id: UUID, queued: Bool)] = [:]
            let result = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger)
            for try await (id, chain, txHash, logIndex, queued) in result.decode((UUID, String, String, Int64, Bool).self) {
                stored[DepositRecord.Key(chain: chain, txHash: txHash, logIndex: logIndex)] = (id, queued)
            }

            var results: [IngestResult] = []
            results.reserveCapacity(records.count)
            var conflicts: [Int] = []
            for (index, record) in records.enumerated() {
                if let row = stored[record.key] {
                    let outcome = IngestResult.Outcome.accepted(created: row.id == proposedIDs[index], queued: row.queued)
                    results.append(IngestResult(txID: row.id, outcome: outcome))
                } else {
                    conflicts.append(index)
                    results.append(IngestResult(txID: proposedIDs[index], outcome: .conflict(reason: "")))
                }
            }
            for index in conflicts {
                results[index] = try await self.describeConflict(records[index], on: connection)
            }
            if results.contains(where: { if case .accepted(_, true) = $0.outcome { true } else { false } }) {
                try await connection.query(PostgresQuery(unsafeSQL: "NOTIFY \(PostgresStore.jobsChannel)"), logger: self.logger)
            }
            try await self.faults.check(.ingestBeforeCommit)
            return results
        }
    }

    /// Explains why a repeat was refused, from the stored row.
    private func describeConflict(_ record: DepositRecord, on connection: PostgresSession) async throws -> IngestResult {
        let rows = try await connection.query(
            """
            SELECT id, amount::text, currency, user_ref FROM transactions
            WHERE chain = \(record.chain) AND tx_hash = \(record.txHash) AND log_index = \(record.logIndex)
            """,
            logger: self.logger
        )
        for try await (id, amountText, currency, userRef) in rows.decode((UUID, String, String, String?).self) {
            let stored = IngestRule.Terms(amount: try Amount(parsing: amountText), currency: currency, userRef: userRef)
            let reason = IngestRule.conflict(stored, IngestRule.Terms(record)) ?? IngestRule.unexplainedConflict
            return IngestResult(txID: id, outcome: .conflict(reason: reason))
        }
        throw ServiceError(.storeFailure, "a refused repeat has no stored row")
    }
}
