import Foundation
import PostgresNIO

extension PostgresStore {
    /// Records the batch with one statement: an upsert whose conflict clause applies
    /// ``IngestRule`` to repeats (first sightings get their state from
    /// ``IngestRule/initialState(of:threshold:)``), and the jobs of the deposits it queued.
    ///
    /// The statement's text is the same for every batch (``IngestStatement``: the records
    /// travel as one array per column), so each connection prepares it once. The same
    /// statement notifies listeners of the jobs it queued.
    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] {
        guard !records.isEmpty else { return [] }
        precondition(Set(records.map(\.key)).count == records.count, "one batch must not repeat a transfer")
        // Rows go in byte order of their key (as `COLLATE "C"` orders them in processJobs) so
        // concurrent batches and workers take row locks in one order.
        let order = records.indices.sorted { records[$0].key.precedesInByteOrder(records[$1].key) }
        let proposedIDs = self.ids.next(records.count)
        let statement = IngestStatement(
            now: self.clock.now(),
            threshold: confirmationThreshold,
            rows: order.map { (records[$0], proposedIDs[$0]) },
            sender: self.notificationSender
        )

        return try await self.withTransaction { connection in
            var stored: [DepositRecord.Key: (id: UUID, queued: Bool)] = [:]
            for try await (id, chain, txHash, logIndex, queued) in try await connection.execute(statement, logger: self.logger) {
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
