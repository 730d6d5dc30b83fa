import Testing

@testable import Actors

/// How many workers a `NOTIFY cricalgo_deposit_jobs` wakes: as many as the notifying
/// transaction queued jobs, never more than the workers there are, all of them when the
/// payload carries no count, and none when this process's own store sent it.
@Suite struct PostgresJobListenerTests {
    @Test(arguments: [("1 a1", 8, 1), ("3 a1", 8, 3), ("50 a1", 8, 8), ("2 a1", 1, 1), ("4", 8, 4)])
    func aCountWakesThatManyWorkers(payload: String, limit: Int, woken: Int) {
        #expect(JobNotification(payload: payload).workersToWake(limit: limit, ownSender: "b2") == woken)
    }

    @Test(arguments: ["", "jobs", "0", "-4", "99999999999999999999999", " a1", "x a1"])
    func aPayloadWithoutACountWakesEveryWorker(payload: String) {
        #expect(JobNotification(payload: payload).workersToWake(limit: 8, ownSender: "b2") == 8)
    }

    @Test func atLeastOneWorkerWakes() {
        #expect(JobNotification(payload: "").workersToWake(limit: 0, ownSender: nil) == 1)
    }

    @Test func theProcessesOwnNotificationsWakeNoOne() {
        #expect(JobNotification(payload: "5 own").workersToWake(limit: 8, ownSender: "own") == 0)
        #expect(JobNotification(payload: "5 other").workersToWake(limit: 8, ownSender: "own") == 5)
        // An admin requeue names no sender: it wakes every worker even in the sending process.
        #expect(JobNotification(payload: "").workersToWake(limit: 8, ownSender: "own") == 8)
        #expect(JobNotification(payload: "5 own").workersToWake(limit: 8, ownSender: nil) == 5)
    }

    @Test func thePayloadIsReadIntoCountAndSender() {
        #expect(JobNotification(payload: "12 9f3c") == JobNotification(jobs: 12, sender: "9f3c"))
        #expect(JobNotification(payload: "12") == JobNotification(jobs: 12, sender: nil))
        #expect(JobNotification(payload: "12 ") == JobNotification(jobs: 12, sender: nil))
        #expect(JobNotification(payload: "0 9f3c") == JobNotification(jobs: nil, sender: "9f3c"))
    }
}
