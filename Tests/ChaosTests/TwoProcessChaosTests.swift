import Actors
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two processes share one PostgreSQL database; one is SIGKILLed under load while it holds
/// jobs. Jobs it was settling in one transaction (row locks, the usual case) are free the
/// moment the server sees it gone; jobs it held by lease (after a failed batch) stay leased
/// until `JOB_LEASE_SECONDS` pass. The survivor finishes both.
@Suite(.serialized, .timeLimit(.minutes(6))) struct TwoProcessChaosTests {
    @Test(.enabled(if: TestBackend.available.contains(.postgres), "needs CRICALGO_TEST_DATABASE_URL"))
    func theSurvivorFinishesTheJobsAKilledProcessHeld() async throws {
        let seed = ChaosSeed.announce("two-processes-postgres")
        let settings = ChaosSettings.current
        let started = ContinuousClock.now
        var summary = ChaosSummary(run: "two-processes", backend: "postgres", seed: seed)
        try await TestDatabase.with(.postgres) { database in
            try await withChildProcesses { processes in
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
                let (load, orphans, killedAt) = try await withThrowingTaskGroup(of: (LoadResult?, Takeover?).self) { group in
                    group.addTask { (await toVictim.run(stop: victimStop), nil) }
                    group.addTask { (await toSurvivor.run(stop: survivorStop), nil) }
                    group.addTask {
                        try await withCleanup {
                            // Leased by the victim and not yet expired, or locked by one of its
                            // open transactions (its sessions carry its `application_name`).
                            let leases = """
                                SELECT tx_id::text FROM deposit_jobs WHERE locked_by LIKE '\(victimPrefix)%' AND locked_until > now()
                                UNION
                                SELECT j.tx_id::text FROM pgrowlocks('deposit_jobs') r
                                JOIN deposit_jobs j ON j.ctid = r.locked_row
                                JOIN pg_stat_activity a ON a.pid = ANY(r.pids)
                                WHERE a.application_name = 'cricalgo/\(victim.pid)'
                                """
                            try await database.execute("CREATE EXTENSION IF NOT EXISTS pgrowlocks")
                            try await Task.sleep(for: killAfter)
                            // Freeze the victim, look at what it holds, and kill it only while it
                            // holds a job (else let it run a little more): SIGSTOP makes the
                            // jobs read the ones it dies with.
                            var held: [[String?]] = []
                            try await Poll.until(every: .milliseconds(20), within: .seconds(20)) {
                                victim.send(SIGSTOP)
                                held = try await database.rows(leases)
                                if !held.isEmpty { return true }
                                victim.send(SIGCONT)
                                return false
                            }
                            victim.send(SIGKILL)
                            let killedAt = Date()
                            victimStop.set()
                            try await victim.waitForExit()
                            try await Task.sleep(for: .milliseconds(500))
                            return (nil, Takeover(orphans: held.compactMap { $0.first.flatMap { $0 }.flatMap(UUID.init(uuidString:)) }, killedAt: killedAt))
                        } cleanup: {
                            victimStop.set()
                            survivorStop.set()
                        }
                    }
                    var load = LoadResult(plan: plan, answers: [])
                    var takeover: Takeover?
                    for try await (part, held) in group {
                        if let part { load.append(part) }
                        if let held { takeover = held }
                    }
                    let found = try #require(takeover)
                    return (load, found.orphans, found.killedAt)
                }
                #expect(load.unexpected.isEmpty, "answers other than 202 (\(seed)): \(load.unexpected.prefix(3).map(\.status))")
                #expect(try await victim.waitForExit() == 128 + SIGKILL)

                summary.record(load)
                let findings = try await RemoteInvariantCheck(service: service, seed: seed).check(load)
                summary.kills = 1
                summary.duplicatesFound = findings.duplicates
                summary.lost = findings.lost
                summary.distinctTransfers = findings.load.acceptedTransfers.count

                // Every job the victim held was finished by the survivor.
                var completions: [UUID: Date] = [:]
                for event in survivor.logEvents("deposit_task_completed") {
                    guard let txID = (event["tx_id"] as? String).flatMap(UUID.init(uuidString:)) else { continue }
                    completions[txID] = (event["ts"] as? String).flatMap { try? Date($0, strategy: .iso8601.time(includingFractionalSeconds: true).year().month().day().dateTimeSeparator(.standard)) }
                }
                let completed = Set(completions.keys)
                #expect(!orphans.isEmpty, "the victim held jobs when it was killed (\(seed))")
                let unfinished = orphans.filter { !completed.contains($0) }
                #expect(unfinished.isEmpty, "jobs held by the killed process that the survivor did not finish (\(seed)): \(unfinished)")
                summary.leasesTakenOver = orphans.count
                let delays = orphans.compactMap { completions[$0] }.map { Duration.milliseconds(Int64($0.timeIntervalSince(killedAt) * 1000)) }
                summary.killToTakeoverMs = ChaosSummary.Milliseconds(delays)
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

/// The jobs a killed process held, and when it was killed.
private struct Takeover: Sendable {
    var orphans: [UUID]
    var killedAt: Date
}
