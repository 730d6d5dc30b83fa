import Actors
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real binary SIGKILLed mid-load and started again on the same store, several times
/// (docs/API.md, "Invariants": "every tx_id ever answered 202 exists in the store").
@Suite(.serialized, .timeLimit(.minutes(ChaosSettings.isSoak ? 60 : 10))) struct ProcessKillChaosTests {
    @Test(arguments: TestBackend.available)
    func sigkillMidLoadThenRestartLosesAndDoublesNothing(backend: TestBackend) async throws {
        let seed = ChaosSeed.announce("sigkill-\(backend)")
        let settings = ChaosSettings.current
        let started = ContinuousClock.now
        var summary = ChaosSummary(run: "process-sigkill", backend: backend.rawValue, seed: seed)
        try await TestDatabase.with(backend) { database in
            try await withChildProcesses { processes in
                let environment = [
                    "HOST": "127.0.0.1", "PORT": "0", "DATABASE_URL": database.url, "ADMIN_TOKEN": RunningService.adminToken,
                    "WORKER_CONCURRENCY": "4", "JOB_LEASE_SECONDS": "2", "DB_POOL_SIZE": "8",
                ]
                var generator = seed.generator("sigkill")
                var process = try processes.start("sigkill-0", environment: environment)
                var service = RemoteService(port: try await process.waitUntilReady())
                let users = try await service.createUsers(count: 8, prefix: "sigkill")
                let plan = LoadPlan(prefix: "sigkill", count: 200_000, users: users, seed: seed)
                var load = LoadResult(plan: plan, answers: [])
                var restarts: [Duration] = []

                for round in 0..<settings.processKillRounds {
                    if round > 0 {
                        let restart = ContinuousClock.now
                        process = try processes.start("sigkill-\(round)", environment: environment)
                        service = RemoteService(port: try await process.waitUntilReady())
                        restarts.append(restart.duration(to: .now))
                    }
                    var options = WebhookSender.Options()
                    options.connections = 8
                    options.reconnectDelay = .milliseconds(20)
                    options.firstRequest = load.nextRequest
                    let sender = WebhookSender(host: "127.0.0.1", port: service.port, plan: plan, options: options)
                    let stop = StopFlag()
                    let killAfter = Duration.milliseconds(generator.pick(settings.processKillLoad))
                    let victim = process
                    let answers = try await withThrowingTaskGroup(of: LoadResult?.self) { group in
                        group.addTask { await sender.run(stop: stop) }
                        group.addTask {
                            try await Task.sleep(for: killAfter)
                            victim.send(SIGKILL)
                            stop.set()
                            return nil
                        }
                        var answers: LoadResult?
                        for try await result in group where result != nil { answers = result }
                        return try #require(answers)
                    }
                    #expect(try await process.waitForExit() == 128 + SIGKILL)
                    #expect(answers.accepted > 0, "round \(round) had load before the kill (\(seed))")
                    #expect(answers.unexpected.isEmpty, "answers other than 202 (\(seed)): \(answers.unexpected.prefix(3))")
                    load.append(answers)
                    summary.kills += 1
                }

                // Start again on the same store: nothing answered 202 is missing, and everything
                // seen is credited once the watcher re-sends what it never got a 202 for.
                let restart = ContinuousClock.now
                process = try processes.start("sigkill-final", environment: environment)
                service = RemoteService(port: try await process.waitUntilReady())
                restarts.append(restart.duration(to: .now))
                summary.record(load)
                let findings = try await RemoteInvariantCheck(service: service, seed: seed).check(load)
                summary.duplicatesFound = findings.duplicates
                summary.lost = findings.lost
                summary.distinctTransfers = findings.load.acceptedTransfers.count
                summary.restarts = restarts.count
                summary.restartToReadyMs = ChaosSummary.Milliseconds(restarts)

                try await stopGracefully(process)
                let (status, report) = try await verifyStore(processes, databaseURL: database.url)
                #expect(status == 0, "cricalgo verify: \(report)")
                #expect(report["ok"] as? Bool == true)
                #expect((report["deposits"] as? [String: Int])?["credited"] == findings.load.acceptedTransfers.count)
            }
        }
        summary.seconds = started.duration(to: .now).milliseconds / 1000
        try ChaosReport.write(summary)
    }
}
