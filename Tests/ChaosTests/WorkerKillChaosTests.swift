import Actors
import Foundation
import Runtime
import TestSupport
import Testing

/// Workers killed through their supervisor every few milliseconds while webhooks flow
/// (docs/API.md, "Invariants": a worker that dies at any instant loses nothing).
@Suite(.serialized, .timeLimit(.minutes(ChaosSettings.isSoak ? 60 : 8))) struct WorkerKillChaosTests {
    @Test(arguments: TestBackend.available)
    func randomKillsWhileWebhooksFlowLoseAndDoubleNothing(backend: TestBackend) async throws {
        let seed = ChaosSeed.announce("worker-kills-\(backend)")
        let settings = ChaosSettings.current
        let settlements = SettlementLog()
        let started = ContinuousClock.now
        var summary = try await TestDatabase.with(backend) { database in
            try await withRunningService(database, observer: settlements, configure: { configuration in
                // A job held by a killed worker can only be freed by its slot's next incarnation
                // releasing it: with a 10-minute lease the run would stall if that were broken.
                configuration.worker.lease = .seconds(600)
            }) { running in
                let users = try await createUsers(running, count: 8, prefix: "kill")
                let plan = LoadPlan(prefix: "kill", count: settings.killRunWebhooks, users: users, seed: seed)
                let workers = running.service.workers
                let target = running.service.configuration.workerConcurrency
                let schedule = KillSchedule(supervisor: workers)
                let restarts = workers.events()
                let comeback = workers.events()
                let stop = StopFlag()

                let load = try await withThrowingTaskGroup(of: Void.self) { follower in
                    follower.addTask { await schedule.followRestarts(restarts) }
                    let load = try await withThrowingTaskGroup(of: LoadResult?.self) { group in
                        group.addTask {
                            try await schedule.run(generator: seed.generator("kills"), interval: 1...8, stop: stop)
                            return nil
                        }
                        group.addTask {
                            let load = await WebhookSender(host: "127.0.0.1", port: running.port, plan: plan).run()
                            stop.set()
                            return load
                        }
                        var load: LoadResult?
                        for try await result in group where result != nil { load = result }
                        return try #require(load)
                    }
                    try await withDeadline(.seconds(60), "workers back to \(target)") {
                        try await schedule.waitUntilAlive(target, events: comeback)
                    }
                    follower.cancelAll()
                    return load
                }

                #expect(load.unexpected.isEmpty, "answers other than 202 (\(seed)): \(load.unexpected.prefix(3))")
                #expect(load.accepted == load.sent, "every webhook answered 202 (\(seed))")
                let kills = schedule.kills
                #expect(kills > 0, "the schedule killed workers (\(seed))")

                // The gauge is back to the target and every kill was counted as one restart.
                await running.service.metricsActor.flush()
                let metrics = running.service.metrics
                #expect(await running.service.metricsActor.gaugeValue(metrics.workersAlive) == Double(target))
                let counted = await running.service.metricsActor.counterValue(metrics.restartCounter(supervisor: "workers"))
                #expect(counted == Int64(kills), "supervisor_restarts_total{supervisor=\"workers\"} (\(seed))")
                let tree = await workers.snapshot()
                #expect(tree.children?.reduce(0) { $0 + $1.restarts } == kills, "restarts in the supervision tree (\(seed))")
                // Alive: running, or a replacement started that has not yet begun its loop.
                #expect(tree.children?.allSatisfy { ["running", "starting"].contains($0.state) } == true, "\(tree)")

                let findings = try await InvariantCheck(running: running, load: load, settlements: settlements, seed: seed).settleAndCheck()
                var summary = ChaosSummary(run: "worker-kills", backend: backend.rawValue, seed: seed)
                summary.kills = kills
                summary.restarts = Int(counted)
                summary.record(load)
                summary.duplicatesFound = findings.duplicates
                summary.lost = findings.lost
                summary.killToReplacementMs = ChaosSummary.Milliseconds(schedule.replacements)
                return summary
            }
        }
        summary.seconds = started.duration(to: .now).milliseconds / 1000
        try ChaosReport.write(summary)
    }
}
