import Testing
import TestSupport

@testable import Runtime

@Suite("SupervisorStateMachine: strategies, intensity, backoff")
struct SupervisorStateMachineStrategyTests {
    @Test func oneForOneRestartsOnlyTheFailedChild() throws {
        var machine = supervisorTestMachine(.oneForOne, [supervisorTestChild("a"), supervisorTestChild("b"), supervisorTestChild("c")])
        _ = machine.start(now: .at(0))
        let exit = machine.exit("b", at: .at(1))
        #expect(exit.stopRequested.isEmpty)
        let restart = try #require(exit.restart)
        #expect(machine.timerFired(restart.timer, now: restart.deadline).started == ["b"])
        #expect(machine.restarts("a") == 0 && machine.restarts("c") == 0)
    }

    @Test func oneForAllStopsTheOthersInReverseOrderThenRestartsAllInOrder() throws {
        var machine = supervisorTestMachine(.oneForAll, [supervisorTestChild("a"), supervisorTestChild("b"), supervisorTestChild("c")])
        _ = machine.start(now: .at(0))

        let exit = machine.exit("b", at: .at(1))
        #expect(exit.stopRequested == ["c"], "one at a time, last first")
        #expect(exit.restart == nil)
        #expect(machine.view("b") == "restarting")
        #expect(machine.view("c") == "stopping")

        let cStopped = machine.exit("c", .returned, at: .at(1.5))
        #expect(cStopped.stopRequested == ["a"])
        #expect(cStopped.cancelledTimers.count == 1, "its shutdown timeout is no longer needed")
        let aStopped = machine.exit("a", .returned, at: .at(2))
        let restart = try #require(aStopped.restart)
        #expect(restart.child == "b")
        #expect(restart.delay == .milliseconds(10))
        #expect(machine.aliveChildren.isEmpty)

        let fired = machine.timerFired(restart.timer, now: restart.deadline)
        #expect(fired.started == ["a", "b", "c"])
        #expect(fired.starts.map(\.restartReason) == ["sibling_failed", "boom", "sibling_failed"])
        #expect(fired.starts.allSatisfy { $0.restarts == 1 })
        #expect(fired.last == .reportAlive(3))
    }

    @Test func restForOneRestartsTheFailedChildAndTheOnesAfterIt() throws {
        var machine = supervisorTestMachine(.restForOne, [supervisorTestChild("a"), supervisorTestChild("b"), supervisorTestChild("c"), supervisorTestChild("d")])
        _ = machine.start(now: .at(0))
        let aGeneration = machine.generation("a")

        var stops = machine.exit("b", at: .at(1)).stopRequested
        stops += machine.exit("d", .returned, at: .at(1)).stopRequested
        let last = machine.exit("c", .returned, at: .at(1))
        #expect(stops == ["d", "c"])
        let restart = try #require(last.restart)
        let fired = machine.timerFired(restart.timer, now: restart.deadline)
        #expect(fired.started == ["b", "c", "d"])
        #expect(machine.generation("a") == aGeneration, "a was left alone")
        #expect(machine.restarts("a") == 0)
    }

    @Test func restForOneWidensTheRestartWhenAnEarlierChildFails() throws {
        var machine = supervisorTestMachine(.restForOne, [supervisorTestChild("a"), supervisorTestChild("b"), supervisorTestChild("c"), supervisorTestChild("d")])
        _ = machine.start(now: .at(0))
        #expect(machine.exit("c", at: .at(1)).stopRequested == ["d"])
        // While d is stopping, a fails: now everything from a on restarts.
        let aFailed = machine.exit("a", .threw(reason: "a broke"), at: .at(1))
        #expect(aFailed.stopRequested.isEmpty, "d is still stopping")
        #expect(machine.exit("d", .returned, at: .at(1)).stopRequested == ["b"])
        let restart = try #require(machine.exit("b", .returned, at: .at(1)).restart)
        #expect(restart.child == "a")
        let fired = machine.timerFired(restart.timer, now: restart.deadline)
        #expect(fired.started == ["a", "b", "c", "d"])
        #expect(fired.starts.first?.restartReason == "a broke")
    }

    @Test func groupRestartRemovesTemporarySiblingsInsteadOfRestartingThem() throws {
        var machine = supervisorTestMachine(.oneForAll, [supervisorTestChild("a"), supervisorTestChild("tmp", .temporary)])
        _ = machine.start(now: .at(0))
        #expect(machine.exit("a", at: .at(1)).stopRequested == ["tmp"])
        let stopped = machine.exit("tmp", .returned, at: .at(1))
        #expect(stopped.removed == ["tmp"])
        let restart = try #require(stopped.restart)
        #expect(machine.timerFired(restart.timer, now: restart.deadline).started == ["a"])
    }

    @Test func aChildThatCrashesWhileItsGroupRestartsIsNotCountedTwice() throws {
        var machine = supervisorTestMachine(.oneForAll, [supervisorTestChild("a"), supervisorTestChild("b"), supervisorTestChild("c")], maxRestarts: 1)
        _ = machine.start(now: .at(0))
        #expect(machine.exit("c", at: .at(1)).stopRequested == ["b"])
        // a crashes before being asked to stop: it is restarted with the group, no escalation.
        let aCrashed = machine.exit("a", at: .at(1))
        #expect(!aCrashed.contains { if case .escalate = $0 { true } else { false } })
        let restart = try #require(machine.exit("b", .returned, at: .at(1)).restart)
        #expect(machine.timerFired(restart.timer, now: restart.deadline).started == ["a", "b", "c"])
    }

    @Test func exceedingTheRestartIntensityEscalatesAndStopsEveryChildInReverseOrder() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("crash"), supervisorTestChild("c")], maxRestarts: 2, window: .seconds(10))
        _ = machine.start(now: .at(0))
        for second in [1.0, 2.0] {
            let restart = try #require(machine.exit("crash", at: .at(second)).restart)
            _ = machine.timerFired(restart.timer, now: restart.deadline)
        }
        let third = machine.exit("crash", .threw(reason: "again"), at: .at(3))
        #expect(third.contains(.escalate(child: "crash", reason: "again")))
        #expect(third.restart == nil)
        #expect(third.stopRequested == ["c"])
        #expect(machine.view("crash") == "failed")
        #expect(machine.stateDescription == "stopping")

        #expect(machine.exit("c", .returned, at: .at(3)).stopRequested == ["a"])
        let done = machine.exit("a", .returned, at: .at(3))
        #expect(done.finish == .escalated(child: "crash", reason: "again"))
        #expect(machine.stateDescription == "failed")
        #expect(machine.isIdle)
    }

    @Test func restartsOlderThanTheWindowNoLongerCount() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")], maxRestarts: 2, window: .seconds(10))
        _ = machine.start(now: .at(0))
        // Restarts at 0 s and 5 s; at 11 s the first has left the window.
        for second in [0.0, 5.0, 11.0] {
            let restart = try #require(machine.exit("a", at: .at(second)).restart, "failure at \(second) s")
            _ = machine.timerFired(restart.timer, now: restart.deadline)
        }
        // 5, 11, 12: three within 10 s.
        let escalation = machine.exit("a", at: .at(12))
        #expect(escalation.contains(.escalate(child: "a", reason: "boom")))
        #expect(escalation.finish == .escalated(child: "a", reason: "boom"), "no other child to stop")
    }

    @Test func zeroMaxRestartsEscalatesOnTheFirstFailure() {
        var machine = supervisorTestMachine([supervisorTestChild("a")], maxRestarts: 0)
        _ = machine.start(now: .at(0))
        #expect(machine.exit("a", at: .at(1)).finish == .escalated(child: "a", reason: "boom"))
    }

    @Test func backoffGrowsWithConsecutiveFailuresAndResetsAfterAStablePeriod() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")], maxRestarts: 100, window: .seconds(1), resetBackoffAfter: .seconds(30))
        _ = machine.start(now: .at(0))
        var now = MockClock.Instant.at(0)
        var delays: [Duration] = []
        for _ in 0..<4 {
            now = now.advanced(by: .seconds(2))  // each incarnation runs 2 s: not stable
            let restart = try #require(machine.exit("a", at: now).restart)
            delays.append(restart.delay)
            now = restart.deadline
            _ = machine.timerFired(restart.timer, now: now)
        }
        #expect(delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])

        // This incarnation runs 30 s: stable, so the next restart is attempt 1 again.
        now = now.advanced(by: .seconds(30))
        let afterStable = try #require(machine.exit("a", at: now).restart)
        #expect(afterStable.delay == .milliseconds(10))
        _ = machine.timerFired(afterStable.timer, now: afterStable.deadline)
        let next = try #require(machine.exit("a", at: afterStable.deadline.advanced(by: .seconds(1))).restart)
        #expect(next.delay == .milliseconds(20))
    }

    @Test func jitterComesFromTheInjectedGenerator() throws {
        let backoff = Backoff(minimum: .seconds(1), maximum: .seconds(60), jitter: 0.2)
        func firstDelays(seed: UInt64) throws -> [Duration] {
            var machine = supervisorTestMachine([supervisorTestChild("a")], maxRestarts: 100, backoff: backoff, seed: seed)
            _ = machine.start(now: .at(0))
            var delays: [Duration] = []
            var now = MockClock.Instant.at(1)
            for _ in 0..<3 {
                let restart = try #require(machine.exit("a", at: now).restart)
                delays.append(restart.delay)
                now = restart.deadline
                _ = machine.timerFired(restart.timer, now: now)
            }
            return delays
        }
        let delays = try firstDelays(seed: 42)
        #expect(try firstDelays(seed: 42) == delays, "same seed, same delays")
        #expect(try firstDelays(seed: 7) != delays)
        var generator = SplitMix64(seed: 42)
        #expect(delays == (1...3).map { backoff.delay(attempt: $0, using: &generator) })
        for (attempt, delay) in zip(1..., delays) {
            let base = backoff.baseDelay(attempt: attempt)
            #expect(delay >= base * 0.8 && delay <= base * 1.2)
        }
    }
}
