import Foundation
import PostgresNIO
import Testing

@testable import Actors
import TestSupport

/// The PostgreSQL ingest is one prepared statement (``IngestStatement``): batches of any size
/// run the same text, prepared once per connection, and NULL columns travel in its arrays.
@Suite(.timeLimit(.minutes(2))) struct PostgresIngestStatementTests {
    private static func records(_ prefix: String, _ count: Int) -> [DepositRecord] {
        (0..<count).map { index in
            var deposit = record("\(prefix)-\(index)", amount: "1.\(index)", confirmations: index.isMultiple(of: 2) ? 12 : 1)
            if index.isMultiple(of: 3) {
                deposit.toAddress = "0xto\(index)"
                deposit.blockNumber = Int64(100 + index)
                deposit.metadata = #"{"n":\#(index)}"#
            }
            return deposit
        }
    }

    @Test func batchesOfEverySizeShareOnePreparedStatement() async throws {
        guard TestBackend.postgresURL != nil else { return }
        try await TestDatabase.with(.postgres) { database in
            try await withStore(database) { store in
                let store = try #require(store as? PostgresStore)
                let (prepared, ids) = try await store.withTransaction { session in
                    var ids: [UUID] = []
                    for (batch, size) in [1, 4, 9].enumerated() {
                        let rows = Self.records("b\(batch)", size).map { ($0, UUIDv7.Generator().next()) }
                        let statement = IngestStatement(now: Date(), threshold: 12, rows: rows, sender: store.notificationSender)
                        var returned = 0
                        for try await (id, _, _, _, queued) in try await session.execute(statement, logger: store.logger) {
                            ids.append(id)
                            returned += 1
                            #expect(queued == rows.contains { $0.1 == id && $0.0.confirmations >= 12 })
                        }
                        #expect(returned == size)
                    }
                    var prepared: [String] = []
                    for try await statement in try await session.query(
                        "SELECT statement FROM pg_prepared_statements WHERE NOT from_sql", logger: store.logger
                    ).decode(String.self) {
                        prepared.append(statement)
                    }
                    return (prepared, ids)
                }
                #expect(prepared.count == 1, "one statement text for batches of 1, 4 and 9")
                #expect(prepared.first?.contains("unnest(") == true)
                #expect(ids.count == 14)
            }
        }
    }

    @Test func optionalColumnsRoundTripThroughTheArrays() async throws {
        guard TestBackend.postgresURL != nil else { return }
        try await TestDatabase.with(.postgres) { database in
            try await withStore(database) { store in
                let store = try #require(store as? PostgresStore)
                let records = Self.records("n", 4)
                let results = try await store.ingest(records, confirmationThreshold: 12)
                #expect(results.filter(\.isCreated).count == records.count)
                try await store.withConnection { session in
                    for (record, result) in zip(records, results) {
                        for try await (toAddress, blockNumber, metadata, amount) in try await session.query(
                            "SELECT to_address, block_number, metadata::text, amount::text FROM transactions WHERE id = \(result.txID)",
                            logger: store.logger
                        ).decode((String?, Int64?, String?, String).self) {
                            #expect(toAddress == record.toAddress)
                            #expect(blockNumber == record.blockNumber)
                            #expect(metadata == record.metadata)
                            #expect(try Amount(parsing: amount) == record.amount)
                        }
                    }
                }
            }
        }
    }
}
