import Actors
import Foundation
import TestSupport
import Testing

/// Claims, leases, retries and faults — the same contract on both backends.
@Suite(.timeLimit(.minutes(2))) struct StoreJobContractTests {
    @Test(arguments: TestBackend.available)
    func aWorkerPresumedDeadCannotCreditAfterItsLeaseWasTakenOver(backend: TestBackend) async throws {
        let clock = ManualWallClock()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, clock: clock.wallClock) { store in
                let user = try await store.createUser(username: "erin", telegramID: nil)
                _ = try await store.ingestOne(record("0x10", amount: "7", user: user.id.uuidString))
                let stale = try #require(try await store.claimJob(owner: "slow", lease: .seconds(15)))
                // While the lease holds, nobody else gets the job.
                #expect(try await store.claimJob(owner: "fast", lease: .seconds(15)) == nil)
                try await database.letTimePass(.seconds(16))
                let fresh = try #require(try await store.claimJob(owner: "fast", lease: .seconds(15)))
                #expect(fresh.txID == stale.txID && fresh.leaseToken != stale.leaseToken)
                #expect(try await store.processJob(stale) == .leaseLost)
                #expect(try await store.failJob(stale, reason: "late", retryAfter: .zero, maxAttempts: 3) == nil)
                #expect(try await store.processJob(fresh) == .credited)
                #expect(try await store.processJob(fresh) == .leaseLost)
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "7")
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func releasedLeasesAreClaimableAtOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                _ = try await store.ingestOne(record("0x11"))
                _ = try await store.ingestOne(record("0x12"))
                _ = try #require(try await store.claimJob(owner: "p1/worker-1", lease: .seconds(60)))
                _ = try #require(try await store.claimJob(owner: "p1/worker-1", lease: .seconds(60)))
                #expect(try await store.claimJob(owner: "p1/worker-2", lease: .seconds(60)) == nil)
                #expect(try await store.releaseLeases(ownedBy: "p1/worker-1") == 2)
                #expect(try await store.releaseLeases(ownedBy: "p1/worker-1") == 0)
                #expect(try await store.drainJobs(owner: "p1/worker-2") == [.unmatched, .unmatched])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func failuresRetryWithDelayThenParkTheDepositAsDeadUntilRequeued(backend: TestBackend) async throws {
        let clock = ManualWallClock()
        let faults = ScriptedFaults()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, clock: clock.wallClock, faults: faults) { store in
                let user = try await store.createUser(username: "frank", telegramID: nil)
                let deposit = try await store.ingestOne(record("0x13", amount: "3", user: user.id.uuidString))
                faults.set(.afterLedgerInsert, .failAlways)
                for attempt in 1...3 {
                    let job = try #require(try await store.claimJob(owner: "w", lease: .seconds(30)))
                    #expect(job.failedAttempts == attempt - 1)
                    await #expect(throws: ServiceError(.injectedFault, "")) { try await store.processJob(job) }
                    let state = try await store.failJob(job, reason: "boom", retryAfter: .seconds(10), maxAttempts: 3)
                    #expect(state == (attempt < 3 ? .queued : .dead))
                    // Not due again before its retry time.
                    #expect(try await store.claimJob(owner: "w", lease: .seconds(30)) == nil)
                    try await database.letTimePass(.seconds(11))
                }
                #expect(try await store.transaction(id: deposit.txID)?.state == .dead)
                #expect(try await store.wallet(userID: user.id)?.depositBalance == .zero)
                #expect(try await store.verify() == [])
                faults.set(.afterLedgerInsert, nil)
                await #expect(throws: ServiceError(.conflict, "")) { try await store.assign(txID: deposit.txID, userID: user.id) }
                try await store.requeue(txID: deposit.txID)
                await #expect(throws: ServiceError(.conflict, "")) { try await store.requeue(txID: deposit.txID) }
                let job = try #require(try await store.claimJob(owner: "w", lease: .seconds(30)))
                #expect(job.failedAttempts == 0)
                #expect(try await store.processJob(job) == .credited)
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "3")
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aFaultAtAnyProcessingStepRollsEverythingBack(backend: TestBackend) async throws {
        let faults = ScriptedFaults()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, faults: faults) { store in
                let user = try await store.createUser(username: "grace", telegramID: nil)
                _ = try await store.ingestOne(record("0x14", amount: "4", user: user.id.uuidString))
                for point in [FaultPoint.afterLedgerInsert, .beforeCommit] {
                    faults.set(point, .fail(times: 1))
                    let job = try #require(try await store.claimJob(owner: "w-\(point)", lease: .seconds(30)))
                    await #expect(throws: ServiceError(.injectedFault, "")) { try await store.processJob(job) }
                    #expect(try await store.wallet(userID: user.id)?.depositBalance == .zero)
                    #expect(try await store.transaction(id: job.txID)?.state == .queued)
                    #expect(try await store.releaseLeases(ownedBy: "w-\(point)") == 1)
                }
                #expect(try await store.drainJobs() == [.credited])
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "4")
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aFaultBeforeTheIngestCommitStoresNothing(backend: TestBackend) async throws {
        let faults = ScriptedFaults()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, faults: faults) { store in
                faults.set(.ingestBeforeCommit, .fail(times: 1))
                await #expect(throws: ServiceError(.injectedFault, "")) { try await store.ingestOne(record("0x15")) }
                let statistics = try await store.statistics()
                #expect(statistics.deposits.values.reduce(0, +) == 0)
                #expect(statistics.queueDepth == 0)
                let retried = try await store.ingestOne(record("0x15"))
                #expect(retried.isCreated && retried.isQueued)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func moneyIsExactAtBothEndsOfTheRange(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let user = try await store.createUser(username: "heidi", telegramID: nil)
                let amounts = ["0.000000000000000001", "0.000000000000000001", "12345678901234567890", "23456789012345678901", "0.999999999999999998"]
                for (index, amount) in amounts.enumerated() {
                    _ = try await store.ingestOne(record("0x16-\(index)", amount: amount, user: user.id.uuidString))
                }
                #expect(try await store.drainJobs().count == amounts.count)
                // 35802467913580246791 + 0.000000000000000002 + 0.999999999999999998
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "35802467913580246792")
                #expect(try await store.verify() == [])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func statisticsCountStatesAndTheOldestDueJob(backend: TestBackend) async throws {
        let clock = ManualWallClock()
        try await TestDatabase.with(backend) { database in
            try await withStore(database, clock: clock.wallClock) { store in
                _ = try await store.ingestOne(record("0x17", confirmations: 1))
                _ = try await store.ingestOne(record("0x18"))
                try await database.letTimePass(.seconds(42))
                _ = try await store.ingestOne(record("0x19"))
                let statistics = try await store.statistics()
                #expect(statistics.deposits[.pending] == 1)
                #expect(statistics.deposits[.queued] == 2)
                #expect(statistics.deposits[.credited] == 0)
                #expect(statistics.queueDepth == 2)
                // 42 s on the database's clock, plus however long the test itself took.
                #expect(statistics.oldestDueAge >= .seconds(42) && statistics.oldestDueAge < .seconds(42 + 600))
                #expect(statistics.oldestJobAge >= .seconds(42) && statistics.oldestJobAge < .seconds(42 + 600))
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func verifyNamesEachBrokenInvariant(backend: TestBackend) async throws {
        let clock = ManualWallClock()
        try await TestDatabase.with(backend) { database in
            let user = try await withStore(database, clock: clock.wallClock) { store in
                let user = try await store.createUser(username: "ivan", telegramID: nil)
                _ = try await store.ingestOne(record("0x20", amount: "2", user: user.id.uuidString))
                _ = try await store.ingestOne(record("0x21", amount: "3", user: user.id.uuidString))
                #expect(try await store.drainJobs() == [.credited, .credited])
                _ = try await store.ingestOne(record("0x22", amount: "1"))
                _ = try #require(try await store.claimJob(owner: "crashed", lease: .seconds(5)))
                return user
            }
            // Leases run on the database's clock: the crashed owner's lease expires there.
            try await database.letTimePass(.seconds(6))
            let id = user.id.uuidString.lowercased()
            try await database.execute("UPDATE wallets SET deposit_balance = '6' WHERE user_id = '\(id)'")
            try await database.execute("DELETE FROM ledger_entries WHERE amount = '3'")
            try await withStore(database, clock: clock.wallClock) { store in
                let kinds = Set(try await store.verify().map(\.kind))
                #expect(kinds == [.balanceMismatch, .creditedWithoutLedgerEntry, .expiredLease])
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentBatchesOfRepeatsStoreEachTransferOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database, poolSize: 6) { store in
                // 40 batches of 25 over 200 distinct transfers: every transfer is seen 5 times.
                let ids = try await withThrowingTaskGroup(of: [(String, UUID)].self) { group in
                    for batch in 0..<40 {
                        group.addTask {
                            let records = (0..<25).map { offset in record("0x30-\((batch * 25 + offset) % 200)", confirmations: Int64(batch)) }
                            let results = try await store.ingest(records, confirmationThreshold: 12)
                            return zip(records, results).map { ($0.txHash, $1.txID) }
                        }
                    }
                    var all: [(String, UUID)] = []
                    for try await part in group { all += part }
                    return all
                }
                let byHash = Dictionary(grouping: ids, by: \.0)
                #expect(byHash.count == 200)
                #expect(byHash.values.allSatisfy { Set($0.map(\.1)).count == 1 })
                let statistics = try await store.statistics()
                #expect(statistics.deposits.values.reduce(0, +) == 200)
                #expect(statistics.queueDepth == 200)
                #expect(try await store.verify() == [])
            }
        }
    }
}
