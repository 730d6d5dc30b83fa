import Actors
import Foundation
import TestSupport
import Testing

/// Due times and leases come from the database's clock: processes whose own clocks are
/// hours apart agree on when a job is due and when a lease ends.
@Suite(.timeLimit(.minutes(2))) struct StoreClockSkewTests {
    static let hours: TimeInterval = 5 * 3600

    @Test(arguments: TestBackend.available)
    func processesWithSkewedClocksAgreeOnDueTimesAndLeases(backend: TestBackend) async throws {
        let ahead = WallClock { Date().addingTimeInterval(Self.hours) }
        let behind = WallClock { Date().addingTimeInterval(-Self.hours) }
        try await TestDatabase.with(backend) { database in
            try await withStore(database, clock: ahead) { early in
                try await withStore(database, clock: behind) { late in
                    let user = try await early.createUser(username: "skew", telegramID: nil)
                    // Queued by a process whose clock runs hours ahead: due now, not hours from now.
                    let deposit = try await early.ingestOne(record("0xskew", amount: "2", user: user.id.uuidString))
                    let job = try #require(try await late.claimJob(owner: "late", lease: .seconds(30)))
                    #expect(job.txID == deposit.txID)
                    // A live lease taken by the slow clock is not stolen by the fast one.
                    #expect(try await early.claimJob(owner: "early", lease: .seconds(30)) == nil)

                    // A retry scheduled by the slow clock is not due early for the fast one.
                    #expect(try await late.failJob(job, reason: "retry", retryAfter: .seconds(60), maxAttempts: 5) == .queued)
                    #expect(try await early.claimJob(owner: "early", lease: .seconds(30)) == nil)
                    try await database.letTimePass(.seconds(61))
                    let retried = try #require(try await early.claimJob(owner: "early", lease: .seconds(30)))
                    #expect(try await early.processJob(retried) == .credited)
                    #expect(try await late.wallet(userID: user.id)?.depositBalance.description == "2")
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func theOldestJobAgeCoversAJobScheduledInTheFuture(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                _ = try await store.ingestOne(record("0xstuck"))
                let job = try #require(try await store.claimJob(owner: "w", lease: .seconds(30)))
                // Rescheduled an hour ahead; ten minutes later it is still not due.
                #expect(try await store.failJob(job, reason: "store", retryAfter: .seconds(3600), maxAttempts: 100) == .queued)
                try await database.letTimePass(.seconds(600))
                let statistics = try await store.statistics()
                #expect(statistics.queueDepth == 1)
                #expect(statistics.oldestDueAge == .zero)
                #expect(statistics.oldestJobAge >= .seconds(600) && statistics.oldestJobAge < .seconds(600 + 600))
            }
        }
    }
}
