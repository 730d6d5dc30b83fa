import Actors
import Foundation
import Logging
import TestSupport
import Testing

/// Through a real group committer and a real store: one record the database cannot hold,
/// batched with valid ones, fails alone. The records are built directly, past webhook
/// validation, as defence in depth behind it.
@Suite(.timeLimit(.minutes(2))) struct GroupCommitterStoreTests {
    /// Records each store refuses for their values: a zero amount breaks a CHECK on both;
    /// PostgreSQL also refuses a NUL in text (SQLSTATE 22021) and an index row over its
    /// limit (SQLSTATE 54000).
    static func offenders(_ backend: TestBackend) -> [DepositRecord] {
        var offenders = [DepositRecord(txHash: "zero-amount", amount: .zero, confirmations: 12)]
        if backend == .postgres {
            let incompressible = (0..<4000).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
            offenders += [
                DepositRecord(txHash: "nul-user", amount: try! Amount(parsing: "1"), confirmations: 12, userRef: "a\u{0}b"),
                DepositRecord(txHash: "x" + incompressible, amount: try! Amount(parsing: "1"), confirmations: 12),
            ]
        }
        return offenders
    }

    @Test(arguments: TestBackend.available)
    func aRecordTheDatabaseRefusesFailsAloneAndTheOthersCommit(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let committer = GroupCommitter(
                    store: store, configuration: .init(maximumConcurrentBatches: 1), logger: Logger(label: "test-committer")
                )
                let valid = (1...5).map { DepositRecord(txHash: "valid-\($0)", amount: try! Amount(parsing: "1.5"), confirmations: 12, userRef: "user-\($0)") }
                let offenders = Self.offenders(backend)
                // Offenders first, in the middle and last of the one shared batch.
                let records = [offenders[0]] + valid[0..<3] + offenders.dropFirst() + valid[3...]

                let answers = await submitTogether(records, to: committer)

                for record in valid {
                    let result = try #require(answers[record.txHash]?.accepted, "\(record.txHash) was not accepted")
                    #expect(result.outcome == .accepted(created: true, queued: true))
                    let stored = try #require(try await store.transaction(id: result.txID))
                    #expect(stored.txHash == record.txHash)
                    #expect(stored.amount.description == "1.5")
                }
                for record in offenders {
                    #expect(answers[record.txHash]?.errorCode == .invalidField, "\(record.txHash.prefix(20))")
                    #expect(answers[record.txHash]?.errorMessage?.hasPrefix("the store refused this webhook's data (") == true)
                }
                let count = try await database.rows("SELECT count(*)\(backend == .postgres ? "::text" : "") FROM transactions")
                #expect(count == [["\(valid.count)"]])
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theStoreMapsARefusedValueToInvalidField(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                for offender in Self.offenders(backend) {
                    do {
                        _ = try await store.ingestOne(offender)
                        Issue.record("\(offender.txHash.prefix(20)) was stored")
                    } catch let error as ServiceError {
                        #expect(error.code == .invalidField)
                        #expect(StoreFailureKind(error) == .data)
                        // The message names the database's reason, never the value.
                        #expect(!error.message.contains("\u{0}"))
                        #expect(error.message.utf8.count < 80)
                    }
                }
            }
        }
    }
}
