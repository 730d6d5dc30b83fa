import Actors
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two processes share one PostgreSQL database; one is SIGKILLed under load. Jobs it held
/// stay leased until `JOB_LEASE_SECONDS` pass, then the survivor takes and finishes them.
@Suite(.serialized, .timeLimit(.minutes(6))) struct TwoProcessChaosTests {
    @Test(.enabled(if: TestBackend.available.contains(.postgres), "needs CRICALGO_TEST_DATABASE_URL"))
    func theSurvivorFinishesTheJobsOfAKilledProcessOnceTheirLeasesExpire() async throws {
        let seed = ChaosSeed.announce("two-processes-postgres")
        let settings = ChaosSettings.current
        let started = ContinuousClock.now
        var summary = ChaosSummary(run: "two-processes", backend: "postgres", seed: seed)
        try await TestDatabase.with(.postgres) { database in
            try await withServiceProcesses { processes in
                let environment = [
                    "HOST": "127.0.0.1", "PORT": "0", "DATABASE_URL": database.url, "ADMIN_TOKEN": RunningService.adminToken,
                    "WORKER_CONCURRENCY": "4", "JOB_LEASE_SECONDS": "2", "DB_POOL_SIZE": "8",
                ]
                let victim = try processes.start("victim", environment: environment)
                let survivor = try processes.start("survivor", environment: environment)
                let victimPort = try await victim.waitUntilReady()
                let service = RemoteService(port: try await survivor.waitUntilReady())
                let users = try await service.createUsers(count: 8, prefix: "pair")
                let plan = LoadPlan(prefix: "pair", count: 200_000, users: users, seed: seed)
                var generator = seed.generator("two-processes")
                let killAfter = Duration.milliseconds(generator.pick(settings.processKillLoad))

                // Both processes take the same webhooks at once (cross-process repeats); the
                // victim is killed mid-load, the survivor's load goes on a little longer.
                var options = WebhookSender.Options()
                options.connections = 4
                let toVictim = WebhookSender(host: "127.0.0.1", port: victimPort, plan: plan, options: options)
                let toSurvivor = WebhookSender(host: "127.0.0.1", port: service.port, plan: plan, options: options)
                let victimStop = StopFlag()
                let survivorStop = StopFlag()
                let victimPrefix = "\(ProcessInfo.processInfo.hostName)-\(victim.pid)-"
                let (load, orphans) = try await withThrowingTaskGroup(of: (LoadResult?, [UUID]?).self) { group in
                    group.addTask { (await toVictim.run(stop: victimStop), nil) }
                    group.addTask { (await toSurvivor.run(stop: survivorStop), nil) }
                    group.addTask {
                        do {
                            try await Task.sleep(for: killAfter)
                            victim.send(SIGKILL)
                            victimStop.set()
                            try await victim.waitForExit()
                            // What the victim held when it died: leased, not yet expired.
                            let held = try await database.rows(
                                "SELECT tx_id::text FROM deposit_jobs WHERE locked_by LIKE '\(victimPrefix)%' AND locked_until > now()"
                            )
                            try await Task.sleep(for: .milliseconds(500))
                            survivorStop.set()
                            return (nil, held.compactMap { $0.first.flatMap { $0 }.flatMap(UUID.init(uuidString:)) })
                        } catch {
                            victimStop.set()
                            survivorStop.set()
                            throw error
                        }
                    }
                    var load = LoadResult(plan: plan, answers: [])
                    var orphans: [UUID] = []
                    for try await (part, held) in group {
                        if let part { load.append(part) }
                        if let held { orphans = held }
                    }
                    return (load, orphans)
                }
                #expect(load.unexpected.isEmpty, "answers other than 202 (\(seed)): \(load.unexpected.prefix(3).map(\.status))")
                #expect(try await victim.waitForExit() == 128 + SIGKILL)

                summary.record(load)
                let findings = try await RemoteInvariantCheck(service: service, seed: seed).check(load)
                summary.kills = 1
                summary.duplicatesFound = findings.duplicates
                summary.lost = findings.lost
                summary.distinctTransfers = findings.load.acceptedTransfers.count

                // Every job the victim held was finished by the survivor after the lease ran out.
                let completed = Set(survivor.logEvents("deposit_task_completed").compactMap { ($0["tx_id"] as? String).flatMap(UUID.init(uuidString:)) })
                let unfinished = orphans.filter { !completed.contains($0) }
                #expect(unfinished.isEmpty, "jobs held by the killed process that the survivor did not finish (\(seed)): \(unfinished)")
                print("two-processes: the killed process held \(orphans.count) job(s) (\(seed))")
                #expect(survivor.isRunning)
                try await stopGracefully(survivor)
                let (status, report) = try await verifyStore(processes, databaseURL: database.url)
                #expect(status == 0, "cricalgo verify: \(report)")
            }
        }
        summary.seconds = started.duration(to: .now).milliseconds / 1000
        try ChaosReport.write(summary)
    }
}
