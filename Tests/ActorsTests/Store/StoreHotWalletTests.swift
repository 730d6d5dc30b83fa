import Actors
import Foundation
import TestSupport
import Testing

/// Every deposit crediting one wallet, settled by several batches at once (as eight workers
/// do on a backlog for one user), on both backends: each deposit is credited exactly once
/// and the wallet's balance is the sum of its ledger entries.
@Suite(.timeLimit(.minutes(2))) struct StoreHotWalletTests {
    @Test(arguments: TestBackend.available)
    func concurrentBatchesForOneWalletCreditEachDepositOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let user = try await store.createUser(username: "hot-wallet", telegramID: nil)
                let count = 96
                var ingested: Set<UUID> = []
                for index in 0..<count {
                    // 1.5, 2.5, …, 96.5: the sum is 4704.
                    ingested.insert(try await store.ingestOne(record("hot-\(index)", amount: "\(index + 1).5", user: user.id.uuidString)).txID)
                }
                var batches: [[ClaimedJob]] = []
                while true {
                    let jobs = try await store.claimJobs(owner: "hot-\(batches.count % 4)", lease: .seconds(60), limit: 8)
                    if jobs.isEmpty { break }
                    batches.append(jobs)
                }
                #expect(batches.count == count / 8)
                #expect(Set(batches.joined().map(\.txID)) == ingested)

                let outcomes = try await withThrowingTaskGroup(of: [UUID: JobOutcome].self) { group in
                    for batch in batches { group.addTask { try await store.processJobs(batch) } }
                    var all: [UUID: JobOutcome] = [:]
                    for try await batchOutcomes in group { all.merge(batchOutcomes) { first, _ in first } }
                    return all
                }
                #expect(Set(outcomes.keys) == ingested)
                #expect(Set(outcomes.values) == [.credited])
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "4704")
                #expect(try await store.statistics().deposits[.credited] == count)
                #expect(try await store.verify() == [])

                // A batch settled again finds its jobs gone: nothing is credited twice.
                #expect(Set(try await store.processJobs(batches[0]).values) == [.leaseLost])
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "4704")
                #expect(try await store.claimJobs(owner: "hot", lease: .seconds(60), limit: 8).isEmpty)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func concurrentBatchesNearTheCeilingRefuseOnlyWhatDoesNotFit(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let user = try await store.createUser(username: "hot-ceiling", telegramID: nil)
                // Room for exactly ten of the credits of 1 below.
                _ = try await store.ingestOne(record("hot-ceiling-base", amount: "99999999999999999990", user: user.id.uuidString))
                #expect(try await store.drainJobs() == [.credited])
                for index in 0..<24 {
                    _ = try await store.ingestOne(record("hot-ceiling-\(index)", amount: "1", user: user.id.uuidString))
                }
                var batches: [[ClaimedJob]] = []
                while true {
                    let jobs = try await store.claimJobs(owner: "hot-ceiling", lease: .seconds(60), limit: 4)
                    if jobs.isEmpty { break }
                    batches.append(jobs)
                }
                #expect(batches.count == 6)
                let outcomes = try await withThrowingTaskGroup(of: [UUID: JobOutcome].self) { group in
                    for batch in batches { group.addTask { try await store.processJobs(batch) } }
                    var all: [JobOutcome] = []
                    for try await batchOutcomes in group { all += batchOutcomes.values }
                    return all
                }
                #expect(outcomes.filter { $0 == .credited }.count == 9)
                #expect(outcomes.filter { $0 == .balanceCeiling }.count == 15)
                #expect(try await store.wallet(userID: user.id)?.depositBalance.description == "99999999999999999999")
                #expect(try await store.balanceCeilingRefusals() == 15)
                #expect(try await store.verify() == [])
            }
        }
    }
}
