import Actors
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// PostgreSQL stopped (`pg_ctl stop -m fast`) under load, then started again: while it is
/// down every webhook is answered 503, never 202; the service recovers without a restart;
/// nothing is lost or credited twice. Runs on a cluster of its own.
@Suite(.serialized, .timeLimit(.minutes(6))) struct DatabaseOutageChaosTests {
    /// When the database went away and came back, as the test saw it.
    struct Timeline: Sendable {
        var down: ContinuousClock.Instant
        var starting: ContinuousClock.Instant
        var back: ContinuousClock.Instant
    }

    @Test(.enabled(if: PostgresCluster.binaries != nil || TestBackend.postgresRequired, "needs PostgreSQL's programs"))
    func postgresStoppedMidLoadAnswers503ThenRecoversByItself() async throws {
        _ = try #require(PostgresCluster.binaries, "PostgreSQL programs not found; set CRICALGO_TEST_PG_BIN")
        let seed = ChaosSeed.announce("database-outage-postgres")
        let settings = ChaosSettings.current
        let started = ContinuousClock.now
        var summary = ChaosSummary(run: "database-outage", backend: "postgres", seed: seed)
        try await PostgresCluster.with { cluster in
            try await withChildProcesses { processes in
                let environment = [
                    "HOST": "127.0.0.1", "PORT": "0", "DATABASE_URL": cluster.url, "ADMIN_TOKEN": RunningService.adminToken,
                    "WORKER_CONCURRENCY": "4", "JOB_LEASE_SECONDS": "2", "DB_POOL_SIZE": "8",
                    "INGEST_TIMEOUT_MS": "1000", "DB_POOL_TIMEOUT": "1",
                ]
                let process = try processes.start("outage", environment: environment)
                let service = RemoteService(port: try await process.waitUntilReady())
                let users = try await service.createUsers(count: 8, prefix: "outage")
                let plan = LoadPlan(prefix: "outage", count: 200_000, users: users, seed: seed)
                var options = WebhookSender.Options()
                options.connections = 8
                options.reconnectDelay = .milliseconds(50)
                let sender = WebhookSender(host: "127.0.0.1", port: service.port, plan: plan, options: options)
                let answers = AnswerLog()
                let stop = StopFlag()

                let timeline = try await withThrowingTaskGroup(of: Timeline?.self) { group in
                    group.addTask {
                        _ = await sender.run(stop: stop, answers: answers)
                        return nil
                    }
                    group.addTask {
                        try await withCleanup {
                            try await Self.cutTheDatabase(cluster, downtime: settings.databaseDowntime, answers: answers)
                        } cleanup: {
                            stop.set()
                        }
                    }
                    var timeline: Timeline?
                    for try await result in group where result != nil { timeline = result }
                    return try #require(timeline)
                }
                let load = LoadResult(plan: plan, answers: answers.all)
                #expect(process.isRunning, "the service survived the outage; log tail:\n\(process.logTail())")
                #expect(load.unexpected.isEmpty, "answers other than 202 and 503 (\(seed)): \(load.unexpected.prefix(3).map(\.status))")
                #expect(load.unanswered == 0, "every webhook got an answer (\(seed))")

                // While the database was down (stopped, not yet being started) every answer was 503.
                let whileDown = load.answers.filter { $0.sent >= timeline.down && $0.answered <= timeline.starting }
                #expect(!whileDown.isEmpty, "webhooks were sent while the database was down (\(seed))")
                let accepted = whileDown.filter { $0.status != 503 }
                #expect(accepted.isEmpty, "answers other than 503 while the database was down (\(seed)): \(accepted.prefix(3).map(\.status))")

                // The service came back by itself.
                let firstAccepted = load.answers.filter { $0.status == 202 && $0.sent >= timeline.back }.map(\.answered).min()
                let recovery = try #require(firstAccepted, "no 202 after the database came back (\(seed))")

                summary.record(load)
                let findings = try await RemoteInvariantCheck(service: service, seed: seed).check(load)
                summary.duplicatesFound = findings.duplicates
                summary.lost = findings.lost
                summary.distinctTransfers = findings.load.acceptedTransfers.count
                summary.databaseDownMs = timeline.down.duration(to: timeline.starting).milliseconds
                summary.databaseBackToFirst202Ms = timeline.back.duration(to: recovery).milliseconds

                try await stopGracefully(process)
                let (status, report) = try await verifyStore(processes, databaseURL: cluster.url)
                #expect(status == 0, "cricalgo verify: \(report)")
            }
        }
        summary.seconds = started.duration(to: .now).milliseconds / 1000
        try ChaosReport.write(summary)
    }

    /// Lets load flow, stops the database, keeps it down for `downtime`, starts it again and
    /// waits (polling the answers) for the first 202 sent after that, then lets load flow a bit more.
    static func cutTheDatabase(_ cluster: PostgresCluster, downtime: Duration, answers: AnswerLog) async throws -> Timeline {
        try await Task.sleep(for: .milliseconds(500))
        try await cluster.stop(mode: "fast")
        let down = ContinuousClock.now
        try await Task.sleep(for: downtime)
        let starting = ContinuousClock.now
        try await cluster.start()
        let back = ContinuousClock.now
        try await Poll.until(every: .milliseconds(20), within: .seconds(60)) {
            answers.contains { $0.status == 202 && $0.sent >= back }
        }
        try await Task.sleep(for: .milliseconds(500))
        return Timeline(down: down, starting: starting, back: back)
    }
}
