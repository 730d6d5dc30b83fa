import Actors
import Foundation
import Runtime
import TestSupport
import Testing

/// Errors and crashes at every fault point in ingest and processing, under load, with the
/// invariant check of the kill runs.
@Suite(.serialized, .timeLimit(.minutes(ChaosSettings.isSoak ? 60 : 8))) struct FaultPointChaosTests {
    @Test(arguments: FaultPoint.allCases, TestBackend.available)
    func faultsAtAPointUnderLoadLoseAndDoubleNothing(point: FaultPoint, backend: TestBackend) async throws {
        let seed = ChaosSeed.announce("fault-\(point.rawValue)-\(backend)")
        let settings = ChaosSettings.current
        let settlements = SettlementLog()
        let ingest = point == .ingestBeforeCommit
        let faults = SeededFaults(
            point: point,
            generator: seed.generator("faults"),
            errorRate: 0.2,
            crashRate: ingest ? 0.1 : 0.03,
            maximumCrashes: settings.faultRunCrashes
        )
        let started = ContinuousClock.now
        var summary = try await TestDatabase.with(backend) { database in
            try await withRunningService(database, faults: faults, observer: settlements, configure: { configuration in
                configuration.worker.lease = .seconds(600)
                configuration.worker.maximumAttempts = 1000
            }) { running in
                let users = try await createUsers(running, count: 4, prefix: "fault")
                let plan = LoadPlan(prefix: "fault-\(point.rawValue)", count: settings.faultRunWebhooks, users: users, seed: seed)
                let comeback = running.service.workers.events()
                var options = WebhookSender.Options()
                // A sender retries a 503 (an ingest fault) until its webhook is accepted.
                options.retriesAfterUnavailable = 1000
                let load = await WebhookSender(host: "127.0.0.1", port: running.port, plan: plan, options: options).run()

                #expect(load.unexpected.isEmpty, "answers other than 202 and 503 (\(seed)): \(load.unexpected.prefix(3))")
                #expect(load.acceptedTransfers.count == plan.transfers.count, "every transfer accepted in the end (\(seed))")
                if !ingest { #expect(load.unavailable == 0, "a processing fault never reaches ingest (\(seed))") }
                let findings = try await InvariantCheck(running: running, load: load, settlements: settlements, seed: seed).settleAndCheck()

                #expect(faults.errors > 0 && faults.crashes > 0, "both kinds of fault fired at \(point.rawValue) (\(seed))")
                // Each crash of a worker is one restart; a crash in ingest kills no worker.
                let schedule = KillSchedule(supervisor: running.service.workers)
                try await withDeadline(.seconds(60), "workers back") {
                    try await schedule.waitUntilAlive(running.service.configuration.workerConcurrency, events: comeback)
                }
                await running.service.metricsActor.flush()
                let restarts = await running.service.metricsActor.counterValue(running.service.metrics.restartCounter(supervisor: "workers"))
                #expect(restarts == (ingest ? 0 : Int64(faults.crashes)), "worker restarts after \(faults.crashes) crashes (\(seed))")

                var summary = ChaosSummary(run: "fault-\(point.rawValue)", backend: backend.rawValue, seed: seed)
                summary.record(load)
                summary.kills = ingest ? 0 : faults.crashes
                summary.restarts = Int(restarts)
                summary.faultsInjected = faults.errors + faults.crashes
                summary.duplicatesFound = findings.duplicates
                summary.lost = findings.lost
                return summary
            }
        }
        summary.seconds = started.duration(to: .now).milliseconds / 1000
        try ChaosReport.write(summary)
    }
}
