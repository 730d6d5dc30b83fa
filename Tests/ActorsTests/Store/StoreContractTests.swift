import Actors
import Foundation
import TestSupport
import Testing

/// One contract, both backends: every test runs on SQLite and (when configured) PostgreSQL.
@Suite(.timeLimit(.minutes(2))) struct StoreContractTests {
    @Test(arguments: TestBackend.available)
    func migrationsAreIdempotent(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                #expect(try await store.migrate() == [])
                try await store.ping()
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aRepeatReturnsTheSameTxIDAndKeepsTheHighestConfirmations(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let first = try await store.ingestOne(record("0xa", confirmations: 3))
                #expect(first.isCreated && !first.isQueued)
                let again = try await store.ingestOne(record("0xa", confirmations: 7))
                #expect(again.txID == first.txID && !again.isCreated)
                let older = try await store.ingestOne(record("0xa", confirmations: 1))
                #expect(older.txID == first.txID)
                let status = try #require(try await store.transaction(id: first.txID))
                #expect(status.confirmations == 7)
                #expect(status.state == .pending)
                // Another transfer of the same chain transaction is a different deposit.
                let second = try await store.ingestOne(record("0xa", confirmations: 3, logIndex: 1))
                #expect(second.isCreated && second.txID != first.txID)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aContradictingRepeatIsAConflictAndChangesNothing(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let original = try await store.ingestOne(record("0xb", amount: "5", confirmations: 2, user: "u1"))
                for contradiction in [
                    record("0xb", amount: "6", confirmations: 20, user: "u1"),
                    record("0xb", amount: "5", confirmations: 20, user: "u2"),
                    record("0xb", amount: "5", confirmations: 20, user: nil),
                    record("0xb", amount: "5", confirmations: 20, user: "u1", currency: "BUSD"),
                ] {
                    let result = try await store.ingestOne(contradiction)
                    #expect(result.isConflict)
                    #expect(result.txID == original.txID)
                }
                let status = try #require(try await store.transaction(id: original.txID))
                #expect(status.confirmations == 2)
                #expect(status.amount.description == "5")
                #expect(status.state == .pending)
                #expect(try await store.statistics().queueDepth == 0)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func confirmationsReachingTheThresholdQueueTheJobOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let user = try await store.createUser(username: "alice", telegramID: 42)
                let first = try await store.ingestOne(record("0xc", amount: "2.5", confirmations: 11, user: user.id.uuidString))
                #expect(!first.isQueued)
                #expect(try await store.claimJob(owner: "w", lease: .seconds(30)) == nil)
                let lifted = try await store.ingestOne(record("0xc", amount: "2.5", confirmations: 12, user: user.id.uuidString))
                #expect(lifted.isQueued)
                let repeated = try await store.ingestOne(record("0xc", amount: "2.5", confirmations: 30, user: user.id.uuidString))
                #expect(!repeated.isQueued)
                #expect(try await store.drainJobs() == [.credited])
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "2.5")
                let status = try #require(try await store.transaction(id: first.txID))
                #expect(status.state == .credited)
                #expect(status.userID == user.id)
                #expect(status.processedAt != nil)
                // Repeats after the credit change nothing.
                _ = try await store.ingestOne(record("0xc", amount: "2.5", confirmations: 50, user: user.id.uuidString))
                #expect(try await store.drainJobs() == [])
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "2.5")
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aPendingChainStatusWaitsAndAFailedOneSettlesWithoutCredit(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let user = try await store.createUser(username: "bob", telegramID: nil)
                let pending = try await store.ingestOne(record("0xd", confirmations: 40, status: .pending, user: user.id.uuidString))
                #expect(!pending.isQueued)
                let confirmed = try await store.ingestOne(record("0xd", confirmations: 40, status: .confirmed, user: user.id.uuidString))
                #expect(confirmed.isQueued)
                let failed = try await store.ingestOne(record("0xe", confirmations: 0, status: .failed, user: user.id.uuidString))
                #expect(failed.isQueued)
                #expect(Set(try await store.drainJobs()) == [.credited, .failed])
                #expect(try await store.transaction(id: failed.txID)?.state == .failed)
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "1")
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func unknownUsersAreUnmatchedUntilAssigned(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let absent = try await store.ingestOne(record("0xf1"))
                let notUUID = try await store.ingestOne(record("0xf2", user: "test"))
                let unknown = try await store.ingestOne(record("0xf3", user: UUID().uuidString))
                #expect(try await store.drainJobs() == [.unmatched, .unmatched, .unmatched])
                let carol = try await store.createUser(username: "carol", telegramID: nil)
                for result in [absent, notUUID, unknown] {
                    #expect(try await store.transaction(id: result.txID)?.state == .unmatched)
                    try await store.assign(txID: result.txID, userID: carol.id)
                    #expect(try await store.transaction(id: result.txID)?.state == .queued)
                }
                #expect(try await store.drainJobs() == [.credited, .credited, .credited])
                #expect(try await store.wallet(userID: carol.id)?.depositBalance.description == "3")
                // Only unmatched deposits can be assigned; unknown ids are not found.
                await #expect(throws: ServiceError(.conflict, "")) { try await store.assign(txID: absent.txID, userID: carol.id) }
                await #expect(throws: ServiceError(.notFound, "")) { try await store.assign(txID: UUID(), userID: carol.id) }
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func assigningToAnUnknownUserIsNotFound(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let result = try await store.ingestOne(record("0xf9"))
                _ = try await store.drainJobs()
                await #expect(throws: ServiceError(.notFound, "")) { try await store.assign(txID: result.txID, userID: UUID()) }
                #expect(try await store.transaction(id: result.txID)?.state == .unmatched)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func usernamesAreUnique(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                _ = try await store.createUser(username: "dave", telegramID: 1)
                await #expect(throws: ServiceError(.conflict, "")) { try await store.createUser(username: "dave", telegramID: nil) }
                await #expect(throws: ServiceError(.conflict, "")) { try await store.createUser(username: "other", telegramID: 1) }
            }
        }
    }
}
