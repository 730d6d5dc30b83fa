import Testing
import TestSupport

@testable import Runtime

typealias SupervisorTestMachine = SupervisorStateMachine<MockClock, SplitMix64>
typealias SupervisorTestAction = SupervisorTestMachine.Action

func supervisorTestChild(_ name: String, _ restart: RestartType = .permanent, timeout: Duration = .seconds(5)) -> ChildSpec {
    ChildSpec(name: name, restart: restart, shutdownTimeout: timeout) { _ in }
}

func supervisorTestMachine(
    _ children: [ChildSpec],
    maxRestarts: Int = 10,
    window: Duration = .seconds(60),
    backoff: Backoff = Backoff(jitter: 0),
    resetBackoffAfter: Duration = .seconds(30),
    seed: UInt64 = 1
) -> SupervisorTestMachine {
    supervisorTestMachine(
        .oneForOne,
        children,
        maxRestarts: maxRestarts,
        window: window,
        backoff: backoff,
        resetBackoffAfter: resetBackoffAfter,
        seed: seed
    )
}

func supervisorTestMachine(
    _ strategy: SupervisionStrategy,
    _ children: [ChildSpec],
    maxRestarts: Int = 10,
    window: Duration = .seconds(60),
    backoff: Backoff = Backoff(jitter: 0),
    resetBackoffAfter: Duration = .seconds(30),
    seed: UInt64 = 1
) -> SupervisorTestMachine {
    SupervisorTestMachine(
        configuration: .init(
            strategy: strategy,
            maxRestarts: maxRestarts,
            restartWindow: window,
            backoff: backoff,
            resetBackoffAfter: resetBackoffAfter
        ),
        children: children,
        generator: SplitMix64(seed: seed)
    )
}

extension SupervisorTestMachine {
    func generation(_ name: String) -> SupervisorGeneration? {
        self.children.first { $0.name == name }?.state.generation
    }

    func view(_ name: String) -> String? {
        self.childViews.first { $0.name == name }?.state
    }

    func restarts(_ name: String) -> Int? {
        self.children.first { $0.name == name }?.restarts
    }

    /// The current incarnation of `name` ends with `exit`.
    mutating func exit(_ name: String, _ exit: SupervisorChildExit = .threw(reason: "boom"), at now: Instant) -> [Action] {
        guard let generation = self.generation(name) else { return [] }
        return self.childExited(name: name, generation: generation, exit: exit, now: now)
    }
}

extension [SupervisorTestAction] {
    var starts: [SupervisorTestMachine.ChildStart] {
        self.compactMap { if case .startChild(let start) = $0 { start } else { nil } }
    }

    var started: [String] { self.starts.map(\.name) }

    var stopRequests: [SupervisorTestMachine.StopRequest] {
        self.compactMap { if case .requestStop(let request) = $0 { request } else { nil } }
    }

    var stopRequested: [String] { self.stopRequests.map(\.name) }

    var cancelled: [String] {
        self.compactMap { if case .cancelChild(let name, _) = $0 { name } else { nil } }
    }

    var removed: [String] {
        self.compactMap { if case .childRemoved(let name) = $0 { name } else { nil } }
    }

    var cancelledTimers: [SupervisorTimerID] {
        self.compactMap { if case .cancelTimer(let timer) = $0 { timer } else { nil } }
    }

    /// The restart timer scheduled, if any.
    var restart: (child: String, timer: SupervisorTimerID, deadline: MockClock.Instant, delay: Duration)? {
        for action in self {
            if case .scheduleRestart(let child, let timer, let deadline, let delay) = action {
                return (child, timer, deadline, delay)
            }
        }
        return nil
    }

    var finish: SupervisorTestMachine.Outcome? {
        for action in self {
            if case .finish(let outcome) = action { return outcome }
        }
        return nil
    }
}

@Suite("SupervisorStateMachine: start, restart types, kill, stale events")
struct SupervisorStateMachineTests {
    @Test func startLaunchesEveryChildInOrder() {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b"), supervisorTestChild("c")])
        let actions = machine.start(now: .at(0))
        #expect(actions.started == ["a", "b", "c"])
        #expect(actions.starts.allSatisfy { $0.restarts == 0 && $0.restartReason == nil })
        #expect(Set(actions.starts.map(\.generation)).count == 3)
        #expect(actions.last == .reportAlive(3))
        #expect(machine.aliveChildren == ["a", "b", "c"])
        #expect(machine.view("a") == "starting")
        machine.childBegan(name: "a", generation: machine.generation("a")!)
        #expect(machine.view("a") == "running")
        #expect(machine.stateDescription == "running")
    }

    @Test func permanentChildIsRestartedAfterTheBackoffDelay() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        let exit = machine.exit("a", at: .at(1))
        #expect(exit.first == .reportExit(child: "a", reason: "boom"))
        let restart = try #require(exit.restart)
        #expect(restart.child == "a")
        #expect(restart.delay == .milliseconds(10))
        #expect(restart.deadline == .at(1.01))
        #expect(exit.last == .reportAlive(1))
        #expect(machine.view("a") == "restarting")
        #expect(machine.aliveChildren == ["b"])

        let fired = machine.timerFired(restart.timer, now: restart.deadline)
        let start = try #require(fired.starts.first)
        #expect(start.name == "a")
        #expect(start.restarts == 1)
        #expect(start.restartReason == "boom")
        #expect(fired.last == .reportAlive(2))
        #expect(machine.restarts("a") == 1)
        #expect(machine.restarts("b") == 0)
    }

    @Test func permanentChildThatReturnsIsRestartedWithReasonNormal() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")])
        _ = machine.start(now: .at(0))
        let exit = machine.exit("a", .returned, at: .at(1))
        #expect(exit.first == .reportExit(child: "a", reason: "normal"))
        let restart = try #require(exit.restart)
        #expect(machine.timerFired(restart.timer, now: restart.deadline).starts.first?.restartReason == "normal")
    }

    @Test func transientChildIsRestartedOnlyAfterAFailure() throws {
        var machine = supervisorTestMachine([supervisorTestChild("job", .transient)])
        _ = machine.start(now: .at(0))
        let failure = machine.exit("job", at: .at(1))
        let restart = try #require(failure.restart)
        #expect(machine.timerFired(restart.timer, now: restart.deadline).started == ["job"])

        let normal = machine.exit("job", .returned, at: .at(2))
        #expect(normal == [.reportExit(child: "job", reason: "normal"), .reportAlive(0)])
        #expect(machine.view("job") == "stopped")
        #expect(machine.contains("job"))
    }

    @Test(arguments: [SupervisorChildExit.returned, .threw(reason: "boom")])
    func temporaryChildIsRemovedWhateverTheExit(exit: SupervisorChildExit) {
        var machine = supervisorTestMachine([supervisorTestChild("once", .temporary), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        let actions = machine.exit("once", exit, at: .at(1))
        #expect(actions.restart == nil)
        #expect(actions.removed == ["once"])
        #expect(!machine.contains("once"))
        #expect(machine.aliveChildren == ["b"])
    }

    @Test func killCancelsTheTaskAndTheExitCountsAsAFailure() throws {
        var machine = supervisorTestMachine([supervisorTestChild("w", .transient)])
        _ = machine.start(now: .at(0))
        let generation = try #require(machine.generation("w"))
        let killActions = machine.killRequested(name: "w")
        let kill = try #require(killActions)
        #expect(kill == [.cancelChild(name: "w", generation: generation), .reportAlive(0)])
        #expect(machine.killRequested(name: "w") == nil, "already killed")
        #expect(machine.killRequested(name: "nobody") == nil)
        #expect(machine.view("w") == "stopping")

        // Even a body that swallowed the cancellation and returned counts as killed.
        let exit = machine.exit("w", .returned, at: .at(1))
        #expect(exit.first == .reportExit(child: "w", reason: "killed"))
        let restart = try #require(exit.restart, "transient, and a kill is a failure")
        #expect(machine.timerFired(restart.timer, now: restart.deadline).starts.first?.restartReason == "killed")
    }

    @Test func killOfAChildThatIsNotRunningIsRefused() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")])
        #expect(machine.killRequested(name: "a") == nil, "not started")
        _ = machine.start(now: .at(0))
        _ = machine.exit("a", at: .at(1))
        #expect(machine.killRequested(name: "a") == nil, "waiting for its restart")
    }

    @Test func staleEventsAreIgnored() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")])
        _ = machine.start(now: .at(0))
        let first = try #require(machine.generation("a"))
        let restart = try #require(machine.exit("a", at: .at(1)).restart)
        _ = machine.timerFired(restart.timer, now: restart.deadline)
        let second = try #require(machine.generation("a"))
        #expect(second != first)

        #expect(machine.childExited(name: "a", generation: first, exit: .returned, now: .at(2)) == [])
        #expect(machine.timerFired(restart.timer, now: .at(2)) == [], "already fired")
        #expect(machine.timerFired(SupervisorTimerID(value: 999), now: .at(2)) == [])
        #expect(machine.childExited(name: "nobody", generation: second, exit: .returned, now: .at(2)) == [])
        #expect(machine.generation("a") == second)
        #expect(machine.aliveChildren == ["a"])
    }

    @Test func cancelledRunResetsAndTheNextRunStartsFresh() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        let restart = try #require(machine.exit("a", at: .at(1)).restart)
        _ = machine.timerFired(restart.timer, now: restart.deadline)
        #expect(machine.restarts("a") == 1)

        let cancelled = machine.runCancelled()
        #expect(cancelled == [.reportAlive(0)])
        #expect(machine.phase == .idle(lastOutcome: .cancelled))
        #expect(machine.stateDescription == "stopped")

        let again = machine.start(now: .at(10))
        #expect(again.started == ["a", "b"])
        #expect(again.starts.allSatisfy { $0.restarts == 0 })
        #expect(machine.restarts("a") == 0)
    }
}
