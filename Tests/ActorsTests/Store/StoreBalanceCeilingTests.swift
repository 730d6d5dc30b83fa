import Actors
import Foundation
import TestSupport
import Testing

/// A credit that would take a wallet past the largest NUMERIC(38,18) balance, on both
/// backends: refused alone, with its reason stored, while the rest of the batch credits.
@Suite(.timeLimit(.minutes(2))) struct StoreBalanceCeilingTests {
    @Test(arguments: TestBackend.available)
    func aCreditPastTheCeilingIsRefusedAloneWithItsReason(backend: TestBackend) async throws {
        let clock = ManualWallClock()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, clock: clock.wallClock) { store in
                let rich = try await store.createUser(username: "ceiling-rich", telegramID: nil)
                let other = try await store.createUser(username: "ceiling-other", telegramID: nil)
                // The wallet a hair below the ceiling, set the way the service would: one credit.
                _ = try await store.ingestOne(record("ceiling-0", amount: "99999999999999999999", user: rich.id.uuidString))
                #expect(try await store.drainJobs() == [.credited])

                try await database.letTimePass(.seconds(1))
                let fits = try await store.ingestOne(record("ceiling-1", amount: "0.5", user: rich.id.uuidString))
                try await database.letTimePass(.seconds(1))
                let overflows = try await store.ingestOne(record("ceiling-2", amount: "1", user: rich.id.uuidString))
                try await database.letTimePass(.seconds(1))
                let elsewhere = try await store.ingestOne(record("ceiling-3", amount: "7.25", user: other.id.uuidString))

                let jobs = try await store.claimJobs(owner: "ceiling", lease: .seconds(30), limit: 10)
                #expect(jobs.count == 3)
                let outcomes = try await store.processJobs(jobs)
                #expect(outcomes == [fits.txID: .credited, overflows.txID: .balanceCeiling, elsewhere.txID: .credited])

                #expect(try await store.wallet(userID: rich.id)?.depositBalance.description == "99999999999999999999.5")
                #expect(try await store.wallet(userID: other.id)?.depositBalance.description == "7.25")
                let refused = try #require(try await store.transaction(id: overflows.txID))
                #expect(refused.state == .failed)
                #expect(refused.userID == rich.id)

                let reason = try await database.rows("SELECT failure_reason FROM transactions WHERE id = '\(overflows.txID.uuidString.lowercased())'")
                let text = try #require(reason.first?.first ?? nil)
                // The balance named is the wallet's before this credit: with or without the 0.5
                // of the same batch, depending on the order the batch settles them in.
                #expect(text.hasPrefix("balance_ceiling: crediting 1 to deposit_balance 99999999999999999999"), "\(text)")
                #expect(text.hasSuffix("would exceed 99999999999999999999.999999999999999999"), "\(text)")
                // The transaction status route reports the same reason.
                #expect(refused.failureReason == text)
                #expect(try await store.transaction(id: fits.txID)?.failureReason == nil)
                let audit = try await database.rows(
                    "SELECT action, detail FROM audit_logs WHERE tx_id = '\(overflows.txID.uuidString.lowercased())' AND actor = 'worker'"
                )
                #expect(audit.map { $0[0] } == ["balance_ceiling"])
                #expect(audit.first?[1] == text)
                #expect(try await database.rows("SELECT 1 FROM ledger_entries WHERE tx_id = '\(overflows.txID.uuidString.lowercased())'").isEmpty)

                // Nothing is left to retry, the invariants hold, and verify counts the refusal.
                #expect(try await store.claimJobs(owner: "ceiling", lease: .seconds(30), limit: 10).isEmpty)
                #expect(try await store.verify() == [])
                #expect(try await store.balanceCeilingRefusals() == 1)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aLoneCreditPastTheCeilingIsNotRetriedIntoDead(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let rich = try await store.createUser(username: "ceiling-lone", telegramID: nil)
                _ = try await store.ingestOne(record("lone-0", amount: "99999999999999999999.999999999999999999", user: rich.id.uuidString))
                _ = try await store.drainJobs()
                let over = try await store.ingestOne(record("lone-1", amount: "0.000000000000000001", user: rich.id.uuidString))
                #expect(try await store.drainJobs() == [.balanceCeiling])
                #expect(try await store.transaction(id: over.txID)?.state == .failed)
                #expect(try await store.wallet(userID: rich.id)?.depositBalance == Amount.maximum)
                #expect(try await store.verify() == [])
                #expect(try await store.balanceCeilingRefusals() == 1)
            }
        }
    }
}
