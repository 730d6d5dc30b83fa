import Actors
import Foundation
import TestSupport
import Testing

/// Schema version 2 on a database an older release filled: stored spellings become
/// canonical, and transfers stored under several spellings are left for an operator and
/// reported by `verify`.
@Suite(.timeLimit(.minutes(2))) struct StoreCanonicalIdentityTests {
    static let hashA = String(repeating: "ab", count: 32)
    static let hashB = String(repeating: "cd", count: 32)
    static let hashC = String(repeating: "ef", count: 32)
    static let hashD = String(repeating: "12", count: 32)

    func userRef(_ database: TestDatabase, _ txID: UUID) async throws -> String? {
        let id = txID.uuidString.lowercased()
        return try await database.rows("SELECT user_ref FROM transactions WHERE id = '\(id)'").first?.first ?? nil
    }

    func count(_ database: TestDatabase, _ sql: String) async throws -> String? {
        let cast = database.backend == .postgres ? "::text" : ""
        return try await database.rows("SELECT count(*)\(cast) \(sql)").first?.first ?? nil
    }

    @Test(arguments: TestBackend.available)
    func theMigrationCanonicalisesStoredSpellings(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database, schemaVersion: 1) { store in
                let user = UUID()
                let upper = try await store.ingestOne(record("0x" + Self.hashA.uppercased(), confirmations: 3, user: user.uuidString.uppercased()))
                let bare = try await store.ingestOne(record(Self.hashB.uppercased(), confirmations: 3, user: "Opaque-User"))
                let capitalX = try await store.ingestOne(record("0X" + Self.hashC, confirmations: 3))
                let canonical = try await store.ingestOne(record("0x" + Self.hashD, confirmations: 3))
                let opaque = try await store.ingestOne(record("smoke-test-1", confirmations: 3, user: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A1"))

                #expect(try await store.migrate() == [2, 3])

                #expect(try await store.transaction(id: upper.txID)?.txHash == "0x" + Self.hashA)
                #expect(try await store.transaction(id: bare.txID)?.txHash == "0x" + Self.hashB)
                #expect(try await store.transaction(id: capitalX.txID)?.txHash == "0x" + Self.hashC)
                #expect(try await store.transaction(id: canonical.txID)?.txHash == "0x" + Self.hashD)
                #expect(try await store.transaction(id: opaque.txID)?.txHash == "smoke-test-1")
                #expect(try await self.userRef(database, upper.txID) == user.uuidString.lowercased())
                #expect(try await self.userRef(database, bare.txID) == "Opaque-User")
                // Not a UUID (one digit short): stays as sent.
                #expect(try await self.userRef(database, opaque.txID) == "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A1")
                #expect(try await self.count(database, "FROM audit_logs WHERE actor = 'migration'") == "4")

                // The transfer sent again, in the spelling ingest now stores, is the same deposit.
                let again = try await store.ingestOne(record("0x" + Self.hashA, confirmations: 12, user: user.uuidString.lowercased()))
                #expect(again.txID == upper.txID)
                #expect(!again.isCreated && !again.isConflict && again.isQueued)
                let bareAgain = try await store.ingestOne(record("0x" + Self.hashB, confirmations: 3, user: "Opaque-User"))
                #expect(bareAgain.txID == bare.txID && !bareAgain.isCreated)
                #expect(try await store.verify() == [])
                #expect(try await store.migrate() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func collidingSpellingsAreLeftAsTheyAreAndReportedByVerify(backend: TestBackend) async throws {
        let clock = ManualWallClock()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, clock: clock.wallClock, schemaVersion: 1) { store in
                let alice = try await store.createUser(username: "collision-alice", telegramID: nil)
                // Three spellings of one transfer: the first is credited (once this binary's
                // schema is in place), the others wait.
                let credited = try await store.ingestOne(record("0x" + Self.hashA.uppercased(), amount: "100", user: alice.id.uuidString))
                clock.advance(by: .seconds(1))
                let lower = try await store.ingestOne(record("0x" + Self.hashA, amount: "100", confirmations: 3, user: alice.id.uuidString))
                clock.advance(by: .seconds(1))
                let bare = try await store.ingestOne(record(Self.hashA, amount: "100", confirmations: 3, user: alice.id.uuidString))
                // Same hash, another transfer of the transaction: no collision, canonicalised.
                let otherLog = try await store.ingestOne(record("0x" + Self.hashA.uppercased(), amount: "7", confirmations: 3, logIndex: 1))
                #expect(Set([credited.txID, lower.txID, bare.txID, otherLog.txID]).count == 4)

                #expect(try await store.migrate() == [2, 3])
                #expect(try await store.drainJobs() == [.credited])

                #expect(try await store.transaction(id: credited.txID)?.txHash == "0x" + Self.hashA.uppercased())
                #expect(try await store.transaction(id: lower.txID)?.txHash == "0x" + Self.hashA)
                #expect(try await store.transaction(id: bare.txID)?.txHash == Self.hashA)
                #expect(try await store.transaction(id: otherLog.txID)?.txHash == "0x" + Self.hashA)

                let violations = try await store.verify()
                #expect(violations.count == 1)
                let violation = try #require(violations.first)
                #expect(violation.kind == .txHashCollision)
                #expect(violation.subject == [credited, lower, bare].map { $0.txID.uuidString.lowercased() }.joined(separator: ","))
                #expect(violation.detail.contains("3 rows are one transfer (chain bep20, tx_hash 0x\(Self.hashA), log_index 0)"))
                #expect(violation.detail.contains("\(credited.txID.uuidString.lowercased()) (credited, tx_hash 0x\(Self.hashA.uppercased()))"))
                #expect(violation.description.hasPrefix("tx_hash_collision "))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func verifyReportsEachCollidingGroupOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                // Written straight to the store, past the normalising parser.
                let a1 = try await store.ingestOne(record("0x" + Self.hashB, confirmations: 3))
                let a2 = try await store.ingestOne(record("0x" + Self.hashB.uppercased(), confirmations: 3))
                let b1 = try await store.ingestOne(record("0x" + Self.hashC, confirmations: 3, currency: "BUSD"))
                let b2 = try await store.ingestOne(record(Self.hashC, confirmations: 3, currency: "BUSD"))
                _ = try await store.ingestOne(record("0x" + Self.hashD, confirmations: 3))
                _ = try await store.ingestOne(record("smoke-test-1", confirmations: 3))

                let violations = try await store.verify()
                #expect(violations.map(\.kind) == [.txHashCollision, .txHashCollision])
                let groups = Set(violations.map { Set($0.subject.split(separator: ",").map(String.init)) })
                let expected: Set<Set<String>> = [
                    Set([a1, a2].map { $0.txID.uuidString.lowercased() }),
                    Set([b1, b2].map { $0.txID.uuidString.lowercased() }),
                ]
                #expect(groups == expected)
            }
        }
    }
}
