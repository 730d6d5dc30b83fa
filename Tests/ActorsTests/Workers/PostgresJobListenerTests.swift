import Testing

@testable import Actors

/// How many workers a `NOTIFY cricalgo_deposit_jobs` wakes: as many as the notifying
/// transaction queued jobs, never more than the workers there are, all of them when the
/// payload is not a count.
@Suite struct PostgresJobListenerTests {
    @Test(arguments: [("1", 8, 1), ("3", 8, 3), ("50", 8, 8), ("2", 1, 1)])
    func aCountWakesThatManyWorkers(payload: String, limit: Int, woken: Int) {
        #expect(PostgresJobListener.workersToWake(payload: payload, limit: limit) == woken)
    }

    @Test(arguments: ["", "jobs", "0", "-4", "99999999999999999999999"])
    func aPayloadThatIsNotACountWakesEveryWorker(payload: String) {
        #expect(PostgresJobListener.workersToWake(payload: payload, limit: 8) == 8)
    }

    @Test func atLeastOneWorkerWakes() {
        #expect(PostgresJobListener.workersToWake(payload: "", limit: 0) == 1)
    }
}
