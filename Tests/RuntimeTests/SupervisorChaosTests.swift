import Logging
import Runtime
import Synchronization
import Testing
import TestSupport

@Suite("Supervisor: kill under load", .timeLimit(.minutes(1)))
struct SupervisorChaosTests {
    @Test func killingRandomWorkersFromSeveralTasksEndsWithEveryWorkerAliveAndEachKillRestarted() async throws {
        let names = (0..<8).map { "worker-\($0)" }
        let work = Atomic<Int>(0)
        let observer = RecordingSupervisorObserver()
        let supervisor = Supervisor(
            name: "workers",
            configuration: .init(maxRestarts: 1_000, backoff: immediateRestartBackoff),
            children: names.map { name in
                ChildSpec(name: name) { context in
                    // Busy with small units of work until asked to stop; a kill lands wherever it is.
                    while !context.isShutdownRequested {
                        work.add(1, ordering: .relaxed)
                        try Task.checkCancellation()
                        await Task.yield()
                    }
                }
            },
            clock: MockClock(),
            logger: Logger.silent(),
            observer: observer
        )
        var events = SupervisorEventReader(supervisor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            let initial = await events.read { event in
                if case .childStarted("worker-7", 0) = event { true } else { false }
            }
            #expect(initial.started == names)

            let killed = await withTaskGroup(of: Int.self) { killers in
                for killer in 0..<4 {
                    killers.addTask {
                        var generator = SplitMix64(seed: UInt64(killer))
                        var killed = 0
                        for _ in 0..<25 {
                            if await supervisor.kill(names.randomElement(using: &generator)!) { killed += 1 }
                            await Task.yield()
                        }
                        return killed
                    }
                }
                return await killers.reduce(0, +)
            }
            #expect(killed > 0)

            // Every successful kill leads to exactly one restart; wait for all of them.
            var restarts = 0
            while restarts < killed {
                let event = await events.read { if case .childStarted(_, let count) = $0 { count > 0 } else { false } }
                #expect(!event.isEmpty)
                restarts += 1
            }
            #expect(await supervisor.aliveChildren() == names)
            let snapshot = await supervisor.snapshot()
            #expect(snapshot.children?.reduce(0) { $0 + $1.restarts } == killed)
            let killRestarts = observer.calls.filter {
                if case .restarted(_, _, "killed", _) = $0 { true } else { false }
            }
            #expect(killRestarts.count == killed)
            #expect(observer.calls.last == .alive(supervisor: "workers", count: 8))

            await supervisor.shutdown()
            try await group.waitForAll()
        }
        #expect(work.load(ordering: .relaxed) > 0)
    }
}
