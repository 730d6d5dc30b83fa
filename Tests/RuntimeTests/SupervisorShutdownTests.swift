import Logging
import Runtime
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

@Suite("Supervisor: shutdown, cancellation, escalation", .timeLimit(.minutes(1)))
struct SupervisorShutdownTests {
    @Test func shutdownStopsChildrenInReverseOrderAndCancelsOneThatIgnoresTheRequest() async throws {
        let clock = MockClock()
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let supervisor = Supervisor(
            name: "root",
            children: [
                probe.spec("a"),
                probe.spec("stubborn", shutdownTimeout: .seconds(2), ignoresShutdown: true),
                probe.spec("c", shutdownTimeout: .seconds(5)),
            ],
            clock: clock,
            logger: Logger.silent()
        )
        var events = SupervisorEventReader(supervisor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next(3) == ["a", "stubborn", "c"])

            await supervisor.shutdown()
            let untilStubborn = await events.read(until: .childStopRequested(child: "stubborn"))
            #expect(Array(untilStubborn.suffix(3)) == [
                .childStopRequested(child: "c"),
                .childExited(child: "c", reason: "normal"),
                .childStopRequested(child: "stubborn"),
            ])

            // The stubborn child keeps running until its 2 s timeout passes on the clock.
            var deadline = await clock.nextTimerScheduled()
            while deadline != MockClock.Instant(.seconds(2)) { deadline = await clock.nextTimerScheduled() }
            #expect(await supervisor.snapshot().children?.map(\.state) == ["running", "stopping", "stopped"])
            clock.advance(to: deadline)

            let rest = await events.read(until: .childExited(child: "a", reason: "normal"))
            #expect(rest == [
                .childCancelled(child: "stubborn"),
                .childExited(child: "stubborn", reason: "cancelled"),
                .childStopRequested(child: "a"),
                .childExited(child: "a", reason: "normal"),
            ])
            try await group.waitForAll()
        }
        #expect(await supervisor.snapshot().state == "stopped")
    }

    @Test func serviceGroupGracefulShutdownReachesEachChildInTurn() async throws {
        let order = Mutex<[String]>([])
        let (gate, openGate) = AsyncStream.makeStream(of: Void.self)
        let supervisor = Supervisor(
            name: "root",
            children: [
                ChildSpec(name: "first") { _ in
                    try? await gracefulShutdown()
                    order.withLock { $0.append("first") }
                },
                ChildSpec(name: "second") { _ in
                    try? await gracefulShutdown()
                    for await _ in gate { break }
                    order.withLock { $0.append("second") }
                },
            ],
            clock: MockClock(),
            logger: Logger.silent()
        )
        var events = SupervisorEventReader(supervisor)
        let serviceGroup = ServiceGroup(configuration: .init(services: [supervisor], logger: Logger.silent()))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await serviceGroup.run() }
            await events.read(until: .childStarted(child: "second", restarts: 0))

            await serviceGroup.triggerGracefulShutdown()
            await events.read(until: .childStopRequested(child: "second"))
            // "first" has not been told yet: it only hears of the shutdown when its turn comes.
            #expect(order.withLock { $0 }.isEmpty)
            openGate.yield()
            let rest = await events.read(until: .childExited(child: "first", reason: "normal"))
            #expect(rest.stopRequested == ["first"])
            try await group.waitForAll()
        }
        #expect(order.withLock { $0 } == ["second", "first"])
    }

    @Test func aServiceChildStopsOnItsGracefulShutdown() async throws {
        struct WaitsForGracefulShutdown: Service {
            func run() async throws { try await gracefulShutdown() }
        }
        let supervisor = Supervisor(
            name: "root",
            children: [ChildSpec(name: "service", service: WaitsForGracefulShutdown())],
            clock: MockClock(),
            logger: Logger.silent()
        )
        var events = SupervisorEventReader(supervisor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            await events.read(until: .childStarted(child: "service", restarts: 0))
            await supervisor.shutdown()
            let stop = await events.read(until: .childExited(child: "service", reason: "normal"))
            #expect(stop == [.childStopRequested(child: "service"), .childExited(child: "service", reason: "normal")])
            try await group.waitForAll()
        }
    }

    @Test func cancellingRunCancelsEveryChild() async throws {
        let probe = ProbeChild()
        var starts = probe.starts.makeAsyncIterator()
        let observer = RecordingSupervisorObserver()
        let supervisor = Supervisor(
            name: "root",
            children: [probe.spec("a"), probe.spec("stubborn", ignoresShutdown: true)],
            clock: MockClock(),
            logger: Logger.silent(),
            observer: observer
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            #expect(await starts.next(2) == ["a", "stubborn"])
            group.cancelAll()
            try await group.waitForAll()  // returns normally, with every child's task ended
        }
        #expect(await supervisor.aliveChildren().isEmpty)
        #expect(await supervisor.snapshot().children?.map(\.state) == ["stopped", "stopped"])
        #expect(observer.calls.last == .alive(supervisor: "root", count: 0))
    }

    @Test func crashLoopEscalatesAfterStoppingTheOthersInReverseOrder() async throws {
        let probe = ProbeChild()
        let observer = RecordingSupervisorObserver()
        let logs = LogCapture()
        let supervisor = Supervisor(
            name: "root",
            configuration: .init(maxRestarts: 2, restartWindow: .seconds(60), backoff: immediateRestartBackoff),
            children: [
                probe.spec("first"),
                probe.spec("second"),
                ChildSpec(name: "crasher") { _ in throw ProbeChildError(child: "crasher") },
                probe.spec("last"),
            ],
            clock: MockClock(),
            logger: logs.logger(),
            observer: observer
        )
        var events = SupervisorEventReader(supervisor)
        await #expect(throws: RuntimeError.supervisorEscalated) { try await supervisor.run() }

        let history = await events.read(until: .childExited(child: "first", reason: "normal"))
        #expect(history.filter { $0 == .childExited(child: "crasher", reason: "probe crasher crashed") }.count == 3)
        let escalation = try #require(history.firstIndex { if case .escalated = $0 { true } else { false } })
        #expect(Array(history[escalation...]).stopRequested == ["last", "second", "first"])
        #expect(await supervisor.snapshot().state == "failed")
        #expect(await supervisor.snapshot().children?.map(\.state) == ["stopped", "stopped", "failed", "stopped"])

        let escalated = observer.calls.filter { if case .escalated = $0 { true } else { false } }
        #expect(escalated.count == 1)
        let record = try #require(logs.records.first { $0.message == "supervisor_escalated" })
        #expect(record.level == .error)
        #expect(record.metadata["supervisor"] == "root")
        #expect(record.metadata["child"] == "crasher")
        #expect(record.metadata["reason"]?.contains("probe crasher crashed") == true)
    }

    @Test func nestedSupervisorThatEscalatesIsRestartedByItsParent() async throws {
        let clock = MockClock()
        let crashes = Atomic<Int>(0)
        let workers = Supervisor(
            name: "workers",
            configuration: .init(maxRestarts: 1, backoff: immediateRestartBackoff),
            children: [
                ChildSpec(name: "flaky") { context in
                    // Fails twice (enough to exceed one restart), then behaves.
                    if crashes.add(1, ordering: .relaxed).newValue <= 2 { throw ProbeChildError(child: "flaky") }
                    await context.shutdownRequested()
                }
            ],
            clock: clock,
            logger: Logger.silent()
        )
        let observer = RecordingSupervisorObserver()
        let root = Supervisor(
            name: "root",
            configuration: .init(backoff: immediateRestartBackoff),
            children: [workers.childSpec()],
            clock: clock,
            logger: Logger.silent(),
            observer: observer
        )
        var rootEvents = SupervisorEventReader(root)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await root.run() }
            let history = await rootEvents.read(until: .childStarted(child: "workers", restarts: 1))
            let exit = try #require(
                history.first { if case .childExited(child: "workers", _) = $0 { true } else { false } }
            )
            guard case .childExited(_, let reason) = exit else { return }
            #expect(reason.contains("supervisor escalated"))
            #expect(observer.calls.contains { call in
                if case .restarted("root", "workers", let why, 1) = call { why == reason } else { false }
            })

            await root.shutdown()
            try await group.waitForAll()
        }
        #expect(crashes.load(ordering: .relaxed) == 3)
    }
}
