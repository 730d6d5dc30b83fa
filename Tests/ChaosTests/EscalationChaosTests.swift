import Actors
import Foundation
import HummingbirdTesting
import Runtime
import Synchronization
import TestSupport
import Testing

/// A crash-looping worker exceeds the restart intensity: the worker supervisor gives up,
/// the root restarts it until the root's own intensity is spent, and then the root fails:
/// in-process `run()` throws, and the real process exits 1 so an orchestrator restarts it.
@Suite(.serialized, .timeLimit(.minutes(4))) struct EscalationChaosTests {
    @Test(arguments: TestBackend.available)
    func aCrashLoopingWorkerEscalatesUntilTheRootGivesUp(backend: TestBackend) async throws {
        let maximumRestarts = 2
        let escalations = Escalations()
        try await TestDatabase.with(backend) { database in
            _ = await #expect(throws: RuntimeError.supervisorEscalated) {
                try await withRunningService(database, configure: { configuration in
                    configuration.workerConcurrency = 1
                    configuration.supervisorMaxRestarts = maximumRestarts
                    configuration.supervisorRestartWindow = .seconds(60)
                }) { running in
                    let workers = running.service.workers
                    let workerEvents = workers.events()
                    let rootEvents = running.service.root.events()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        // Kill the worker whenever it is (re)started: a child that crashes at once.
                        group.addTask {
                            for name in await workers.aliveChildren() where await workers.kill(name) { escalations.killed() }
                            for await event in workerEvents {
                                switch event {
                                case .childStarted(let child, _):
                                    if await workers.kill(child) { escalations.killed() }
                                case .escalated:
                                    escalations.workersEscalated()
                                default:
                                    break
                                }
                            }
                        }
                        try await withDeadline(.seconds(120), "root escalation") {
                            for await event in rootEvents {
                                if case .escalated(let reason) = event {
                                    escalations.rootEscalated(reason)
                                    return
                                }
                            }
                        }
                        group.cancelAll()
                    }
                }
            }
        }
        // The worker supervisor gave up once per run: its first run and each of the root's restarts.
        #expect(escalations.snapshot.workers == maximumRestarts + 1)
        #expect(escalations.snapshot.kills == (maximumRestarts + 1) * (maximumRestarts + 1))
        #expect(escalations.snapshot.root?.contains("child workers") == true, "\(escalations.snapshot.root ?? "no root escalation")")
    }

    @Test func theRealProcessExits1WhenItsRootGivesUp() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withChildProcesses { processes in
                let process = try processes.start("escalation", environment: [
                    "HOST": "127.0.0.1", "PORT": "0", "DATABASE_URL": database.url, "ADMIN_TOKEN": RunningService.adminToken,
                    "CHAOS_ENABLED": "true", "WORKER_CONCURRENCY": "1",
                    "SUPERVISOR_MAX_RESTARTS": "1", "SUPERVISOR_RESTART_WINDOW": "60",
                ])
                let port = try await process.waitUntilReady()
                var kills = 0
                var conflicts = 0
                // Kill the worker through the chaos route until the process is gone; 409 means
                // the worker is between incarnations (polling a real process: a short pause).
                try await Poll.until(every: .milliseconds(5), within: .seconds(60)) {
                    guard process.isRunning else { return true }
                    let response = try? await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                        try await client.admin(.post, "/api/v1/admin/chaos/kill-worker")
                    }
                    switch response?.status {
                    case .ok?:
                        kills += 1
                        #expect(response?.json["killed"] as? String == "worker-1")
                    case .conflict?:
                        conflicts += 1
                    default:
                        break
                    }
                    return false
                }
                #expect(process.exitStatus == 1, "exit status; log tail:\n\(process.logTail())")
                // Two runs of the worker supervisor, each giving up at its second restart.
                #expect(kills == 4, "kills before the root gave up (\(conflicts) answered 409)")
                #expect(process.logEvents("supervisor_escalated").compactMap { $0["supervisor"] as? String }.sorted() == ["root", "workers", "workers"])
                #expect(process.logEvents("service_failed").count == 1)
            }
        }
    }
}

/// What the in-process escalation run saw.
private final class Escalations: Sendable {
    struct Snapshot {
        var kills = 0
        var workers = 0
        var root: String?
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { self.state.withLock { $0 } }

    func killed() { self.state.withLock { $0.kills += 1 } }
    func workersEscalated() { self.state.withLock { $0.workers += 1 } }
    func rootEscalated(_ reason: String) { self.state.withLock { $0.root = reason } }
}
