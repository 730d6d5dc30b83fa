import Actors
import Foundation
import TestSupport
import Testing

/// Claiming and settling many jobs in one transaction, on both backends.
@Suite(.timeLimit(.minutes(2))) struct StoreBatchContractTests {
    @Test(arguments: TestBackend.available)
    func oneBatchSettlesEveryKindOfDepositAndLeavesLostLeasesAlone(backend: TestBackend) async throws {
        let clock = ManualWallClock()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, clock: clock.wallClock) { store in
                let alice = try await store.createUser(username: "batch-alice", telegramID: nil)
                let bob = try await store.createUser(username: "batch-bob", telegramID: nil)
                // The deposit that will be stolen is the oldest, so a one-job claim takes it.
                let stolen = try await store.ingestOne(record("b-6", amount: "9", user: alice.id.uuidString))
                try await database.letTimePass(.seconds(1))
                let a1 = try await store.ingestOne(record("b-1", amount: "1.5", user: alice.id.uuidString))
                let a2 = try await store.ingestOne(record("b-2", amount: "2.25", user: alice.id.uuidString))
                let b1 = try await store.ingestOne(record("b-3", amount: "0.000000000000000001", user: bob.id.uuidString))
                let failed = try await store.ingestOne(record("b-4", status: .failed, user: bob.id.uuidString))
                let unmatched = try await store.ingestOne(record("b-5", user: "nobody"))

                let jobs = try await store.claimJobs(owner: "batcher", lease: .seconds(5), limit: 10)
                #expect(Set(jobs.map(\.txID)) == [a1.txID, a2.txID, b1.txID, failed.txID, unmatched.txID, stolen.txID])
                #expect(Set(jobs.map(\.leaseToken)).count == 1)
                #expect(try await store.claimJobs(owner: "other", lease: .seconds(5), limit: 10).isEmpty)

                // The batch's leases expire and another worker takes the oldest job before the batch commits.
                try await database.letTimePass(.seconds(6))
                let thief = try await store.claimJobs(owner: "thief", lease: .seconds(60), limit: 1)
                #expect(thief.map(\.txID) == [stolen.txID])
                let outcomes = try await store.processJobs(jobs)
                #expect(outcomes[a1.txID] == .credited)
                #expect(outcomes[a2.txID] == .credited)
                #expect(outcomes[b1.txID] == .credited)
                #expect(outcomes[failed.txID] == .failed)
                #expect(outcomes[unmatched.txID] == .unmatched)
                #expect(outcomes[stolen.txID] == .leaseLost)
                #expect(try await store.wallet(userID: alice.id)?.depositBalance.description == "3.75")
                #expect(try await store.wallet(userID: bob.id)?.depositBalance.description == "0.000000000000000001")
                #expect(try await store.processJobs(thief) == [stolen.txID: .credited])
                #expect(try await store.wallet(userID: alice.id)?.depositBalance.description == "12.75")
                #expect(try await store.transaction(id: failed.txID)?.state == .failed)
                #expect(try await store.transaction(id: unmatched.txID)?.state == .unmatched)
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aFaultRollsBackTheWholeBatch(backend: TestBackend) async throws {
        let faults = ScriptedFaults()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, faults: faults) { store in
                let user = try await store.createUser(username: "batch-carol", telegramID: nil)
                for index in 0..<5 {
                    _ = try await store.ingestOne(record("bf-\(index)", amount: "1", user: user.id.uuidString))
                }
                for point in [FaultPoint.afterLedgerInsert, .beforeCommit] {
                    faults.set(point, .fail(times: 1))
                    let jobs = try await store.claimJobs(owner: "w", lease: .seconds(30), limit: 10)
                    #expect(jobs.count == 5)
                    await #expect(throws: ServiceError(.injectedFault, "")) { try await store.processJobs(jobs) }
                    #expect(try await store.wallet(userID: user.id)?.depositBalance == .zero)
                    #expect(try await store.statistics().deposits[.queued] == 5)
                    #expect(try await store.releaseLeases(ownedBy: "w") == 5)
                }
                let jobs = try await store.claimJobs(owner: "w", lease: .seconds(30), limit: 3)
                #expect(jobs.count == 3)
                #expect(Set(try await store.processJobs(jobs).values) == [.credited])
                #expect(try await store.drainJobs() == [.credited, .credited])
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "5")
                #expect(try await store.verify() == [])
            }
        }
    }
}
