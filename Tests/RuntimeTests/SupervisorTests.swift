import Logging
import Runtime
import Testing
import TestSupport

@Suite("Supervisor: restarts, strategies, dynamic children", .timeLimit(.minutes(1)))
struct SupervisorTests {
    @Test func crashedChildIsRestartedAfterItsDelayOnTheClock() async throws {
        let clock = MockClock()
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let supervisor = Supervisor(
            name: "root",
            configuration: .init(backoff: Backoff(minimum: .milliseconds(100), maximum: .seconds(1), jitter: 0)),
            children: [probe.spec("a"), probe.spec("b")],
            clock: clock,
            logger: Logger.silent()
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next(2) == ["a", "b"])

            probe.crash("a")
            let deadline = await clock.nextTimerScheduled()
            #expect(deadline == MockClock.Instant(.milliseconds(100)))
            #expect(await supervisor.aliveChildren() == ["b"])
            #expect(await supervisor.snapshot().children?.first?.state == "restarting")

            clock.advance(to: deadline)
            #expect(await starts.next() == ProbeChild.Start(name: "a", restarts: 1))
            #expect(await supervisor.aliveChildren() == ["a", "b"])
            #expect(await supervisor.snapshot().children?.map(\.restarts) == [1, 0])

            await supervisor.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func restForOneRestartsExactlyTheLaterSiblingsInOrder() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let supervisor = Supervisor(
            name: "root",
            configuration: .init(strategy: .restForOne, backoff: immediateRestartBackoff),
            children: ["a", "b", "c", "d"].map { probe.spec($0) },
            clock: MockClock(),
            logger: Logger.silent()
        )
        var events = SupervisorEventReader(supervisor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next(4) == ["a", "b", "c", "d"])
            _ = await events.read(until: .childStarted(child: "d", restarts: 0))

            probe.crash("b")
            let restart = await events.read(until: .childStarted(child: "d", restarts: 1))
            #expect(restart.stopRequested == ["d", "c"])
            #expect(restart.started == ["b", "c", "d"])
            #expect(restart.contains(.childExited(child: "b", reason: "probe b crashed")))
            #expect(await supervisor.snapshot().children?.map(\.restarts) == [0, 1, 1, 1])

            await supervisor.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func oneForAllRestartsEveryChild() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let supervisor = Supervisor(
            name: "root",
            configuration: .init(strategy: .oneForAll, backoff: immediateRestartBackoff),
            children: ["a", "b", "c"].map { probe.spec($0) },
            clock: MockClock(),
            logger: Logger.silent()
        )
        var events = SupervisorEventReader(supervisor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next(3) == ["a", "b", "c"])
            _ = await events.read(until: .childStarted(child: "c", restarts: 0))

            probe.crash("b")
            let restart = await events.read(until: .childStarted(child: "c", restarts: 1))
            #expect(restart.stopRequested == ["c", "a"])
            #expect(restart.started == ["a", "b", "c"])
            #expect(await starts.next(3) == ["a", "b", "c"])

            await supervisor.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func transientAndTemporaryChildrenFollowTheirRestartType() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let supervisor = Supervisor(
            name: "root",
            configuration: .init(backoff: immediateRestartBackoff),
            children: [probe.spec("job", restart: .transient), probe.spec("once", restart: .temporary)],
            clock: MockClock(),
            logger: Logger.silent()
        )
        var events = SupervisorEventReader(supervisor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next(2) == ["job", "once"])

            probe.crash("job")
            #expect(await starts.next() == ProbeChild.Start(name: "job", restarts: 1), "transient: restarted after a failure")
            probe.exit("job")
            await events.read(until: .childExited(child: "job", reason: "normal"))
            probe.crash("once")
            let removal = await events.read(until: .childRemoved(child: "once"))
            #expect(!removal.contains(.childStarted(child: "job", restarts: 2)), "transient: not restarted after a normal exit")

            let snapshot = await supervisor.snapshot()
            #expect(snapshot.children?.map(\.name) == ["job"])
            #expect(snapshot.children?.first?.state == "stopped")
            #expect(await supervisor.aliveChildren().isEmpty)

            await supervisor.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func childrenCanBeAddedAndRemovedWhileRunning() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let supervisor = Supervisor(name: "root", children: [probe.spec("a")], clock: MockClock(), logger: Logger.silent())
        var events = SupervisorEventReader(supervisor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next() == ProbeChild.Start(name: "a", restarts: 0))

            try await supervisor.addChild(probe.spec("b"))
            #expect(await starts.next() == ProbeChild.Start(name: "b", restarts: 0))
            await #expect(throws: RuntimeError.duplicateChild) { try await supervisor.addChild(probe.spec("b")) }

            try await supervisor.removeChild(named: "a")
            let removal = await events.read(until: .childRemoved(child: "a"))
            #expect(removal.contains(.childStopRequested(child: "a")))
            #expect(removal.contains(.childExited(child: "a", reason: "normal")))
            #expect(await supervisor.aliveChildren() == ["b"])
            await #expect(throws: RuntimeError.childNotFound) { try await supervisor.removeChild(named: "a") }
            #expect(await supervisor.kill("a") == false)

            await supervisor.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func runRefusesToRunTwiceAtOnceAndStartsFreshAfterReturning() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let supervisor = Supervisor(
            name: "root",
            configuration: .init(backoff: immediateRestartBackoff),
            children: [probe.spec("a")],
            clock: MockClock(),
            logger: Logger.silent()
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next() == ProbeChild.Start(name: "a", restarts: 0))
            await #expect(throws: RuntimeError.supervisorAlreadyRunning) { try await supervisor.run() }
            probe.crash("a")
            #expect(await starts.next() == ProbeChild.Start(name: "a", restarts: 1))
            await supervisor.shutdown()
            try await group.waitForAll()
        }
        #expect(await supervisor.snapshot().state == "stopped")
        #expect(await supervisor.kill("a") == false, "not running")

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next() == ProbeChild.Start(name: "a", restarts: 0), "counters reset")
            await supervisor.shutdown()
            try await group.waitForAll()
        }
    }
}
