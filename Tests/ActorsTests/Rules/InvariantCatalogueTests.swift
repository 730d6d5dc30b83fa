import Foundation
import PropertyBased
import Testing

@testable import Actors

/// The invariant catalogue: every kind has a meaning and a check, and the checks over
/// values that both stores run.
@Suite struct InvariantCatalogueTests {
    @Test func everyKindIsExplainedAndCheckedOnce() {
        let valueChecked: Set<InvariantViolation.Kind> = [.balanceMismatch, .negativeBalance, .txHashCollision]
        for kind in InvariantViolation.Kind.allCases {
            #expect(!InvariantCatalogue.meaning(of: kind).isEmpty)
            for dialect in SQLDialect.allCases {
                #expect((InvariantCatalogue.query(kind, in: dialect) != nil) == InvariantCatalogue.queriedKinds.contains(kind))
            }
            #expect(InvariantCatalogue.queriedKinds.contains(kind) != valueChecked.contains(kind), "\(kind) is checked one way")
        }
    }

    @Test func queriesDifferOnlyInDialectSpelling() throws {
        for kind in InvariantCatalogue.queriedKinds {
            let postgres = try #require(InvariantCatalogue.query(kind, in: .postgres))
            let sqlite = try #require(InvariantCatalogue.query(kind, in: .sqlite))
            let translated = postgres
                .replacingOccurrences(of: "::text", with: "")
                .replacingOccurrences(of: "IS DISTINCT FROM", with: "IS NOT")
                .replacingOccurrences(of: "now()", with: SQLDialect.sqlite.now)
            #expect(translated == sqlite)
        }
        #expect(InvariantCatalogue.detail(.expiredLease, info: "worker-1") == "lease held by worker-1 has expired")
    }

    @Test func aWalletMustHoldTheSumOfItsLedgerEntries() throws {
        let five = try Amount(parsing: "5")
        let violations = InvariantCatalogue.balanceViolations(
            balances: ["b": five, "a": five, "c": Amount(units: -1)!],
            ledgerSums: ["a": five, "b": try Amount(parsing: "4"), "d": five]
        )
        #expect(violations == [
            InvariantViolation(kind: .balanceMismatch, subject: "b", detail: "deposit_balance 5 != 4 (sum of ledger entries)"),
            InvariantViolation(kind: .negativeBalance, subject: "c", detail: "deposit_balance -0.000000000000000001"),
            InvariantViolation(kind: .balanceMismatch, subject: "c", detail: "deposit_balance -0.000000000000000001 != 0 (sum of ledger entries)"),
            InvariantViolation(kind: .balanceMismatch, subject: "d", detail: "deposit_balance 0 != 5 (sum of ledger entries)"),
        ])
    }

    /// Ledger sums are exact: adding entries in any order gives the wallet a balance the
    /// check accepts, and one unit off is reported.
    @Test func exactSumsMatchAndAnyDriftIsReported() async throws {
        await propertyCheck(count: 300, input: Gen.int128(in: 1...1_000_000_000_000_000_000_000).array(of: 1...20)) { units in
            var sums = InvariantCatalogue.LedgerSums()
            for unit in units.shuffled() { try sums.add(Amount(units: unit)!, to: "u") }
            let total = Amount(units: units.reduce(0, +))!
            #expect(InvariantCatalogue.balanceViolations(balances: ["u": total], ledgerSums: sums.totals) == [])
            let drifted = Amount(units: total.units + 1)!
            #expect(InvariantCatalogue.balanceViolations(balances: ["u": drifted], ledgerSums: sums.totals).map(\.kind) == [.balanceMismatch])
        }
        var sums = InvariantCatalogue.LedgerSums()
        try sums.add(Amount.maximum, to: "u")
        #expect(throws: ServiceError(.storeFailure, "")) { try sums.add(Amount.maximum, to: "u") }
    }

    @Test func rowsSpellingOneTransferTwiceAreOneViolationPerGroup() {
        func row(_ id: String, _ hash: String, log: Int64 = 0) -> TxHashCollisionRow {
            TxHashCollisionRow(txID: id, chain: "bep20", logIndex: log, txHash: hash, canonicalTxHash: "0x" + hash.suffix(64).lowercased(), state: "credited")
        }
        let hex = String(repeating: "ab", count: 32)
        let violations = InvariantViolation.txHashCollisions([
            row("t1", "0x" + hex), row("t2", hex.uppercased()),
            row("t3", "0x" + hex, log: 1), row("t4", "0X" + hex, log: 1), row("t5", hex, log: 1),
        ])
        #expect(violations.map(\.kind) == [.txHashCollision, .txHashCollision])
        #expect(violations.map(\.subject) == ["t1,t2", "t3,t4,t5"])
        #expect(violations[1].detail.hasPrefix("3 rows are one transfer (chain bep20, tx_hash 0x\(hex), log_index 1)"))
    }

    @Test func theCollisionQueryIsRenderedOncePerDialect() {
        #expect(InvariantCatalogue.collisionQuery(in: .postgres) == PostgresStore.collisionQuery)
        #expect(InvariantCatalogue.collisionQuery(in: .sqlite) == SQLiteStore.collisionQuery)
        #expect(PostgresStore.collisionQuery.contains("SELECT id::text AS id"))
        #expect(SQLiteStore.collisionQuery.contains("NOT GLOB '*[^0-9a-fA-F]*'"))
    }
}
