import Testing
import TestSupport

@testable import Runtime

@Suite("SupervisorStateMachine: shutdown, add and remove")
struct SupervisorStateMachineShutdownTests {
    @Test func shutdownStopsChildrenOneAtATimeInReverseStartOrder() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b", timeout: .seconds(2)), supervisorTestChild("c")])
        _ = machine.start(now: .at(0))
        let first = machine.shutdownRequested(now: .at(1))
        let cRequest = try #require(first.stopRequests.first)
        #expect(first.stopRequested == ["c"])
        #expect(cRequest.deadline == .at(6), "its own shutdown timeout")
        #expect(machine.stateDescription == "stopping")
        #expect(machine.shutdownRequested(now: .at(1)) == [], "asked once")

        let second = machine.exit("c", .returned, at: .at(1))
        #expect(second.cancelledTimers == [cRequest.timeoutTimer])
        let bRequest = try #require(second.stopRequests.first)
        #expect(bRequest.name == "b")
        #expect(bRequest.deadline == .at(3))

        // b ignores the request: after its timeout its task is cancelled.
        let timeout = machine.timerFired(bRequest.timeoutTimer, now: bRequest.deadline)
        #expect(timeout.cancelled == ["b"])
        #expect(timeout.stopRequested.isEmpty, "a waits until b has ended")
        let third = machine.exit("b", .threw(reason: "cancelled"), at: .at(3))
        #expect(third.cancelledTimers.isEmpty, "b's timer already fired")
        #expect(third.stopRequested == ["a"])
        let done = machine.exit("a", .returned, at: .at(3))
        #expect(done.finish == .shutdown)
        #expect(machine.isIdle)
        #expect(machine.stateDescription == "stopped")
        #expect(machine.childViews.allSatisfy { $0.state == "stopped" })
    }

    @Test func shutdownCancelsPendingRestartsAndRestartsNothing() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        let restart = try #require(machine.exit("a", at: .at(1)).restart)
        let shutdown = machine.shutdownRequested(now: .at(1))
        #expect(shutdown.cancelledTimers == [restart.timer])
        #expect(shutdown.stopRequested == ["b"])
        #expect(machine.timerFired(restart.timer, now: restart.deadline) == [])

        // A child that crashes on its own during shutdown is not restarted either.
        let crashed = machine.exit("b", .threw(reason: "late"), at: .at(2))
        #expect(crashed.restart == nil)
        #expect(crashed.finish == .shutdown)
    }

    @Test func aChildFailingDuringShutdownBeforeItsTurnIsMarkedFailed() {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        #expect(machine.shutdownRequested(now: .at(1)).stopRequested == ["b"])
        let aCrashed = machine.exit("a", .threw(reason: "oops"), at: .at(1))
        #expect(aCrashed.restart == nil)
        #expect(aCrashed.stopRequested.isEmpty)
        #expect(machine.view("a") == "failed")
        #expect(machine.exit("b", .returned, at: .at(1)).finish == .shutdown)
    }

    @Test func shutdownWithoutChildrenFinishesAtOnce() {
        var machine = supervisorTestMachine([])
        #expect(machine.start(now: .at(0)) == [])
        #expect(machine.shutdownRequested(now: .at(0)) == [.finish(.shutdown)])
        #expect(machine.shutdownRequested(now: .at(0)) == [], "idle")
    }

    @Test func addedChildStartsNowOnlyWhenRunning() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")])
        #expect(try machine.addChild(supervisorTestChild("early"), now: .at(0)) == [])
        #expect(throws: RuntimeError.duplicateChild) { try machine.addChild(supervisorTestChild("a"), now: .at(0)) }
        #expect(machine.start(now: .at(0)).started == ["a", "early"])

        let added = try machine.addChild(supervisorTestChild("late"), now: .at(1))
        #expect(added.started == ["late"])
        #expect(added.last == .reportAlive(3))
        #expect(machine.aliveChildren == ["a", "early", "late"])
    }

    @Test func childAddedDuringAGroupRestartStartsWithTheGroup() throws {
        var machine = supervisorTestMachine(.oneForAll, [supervisorTestChild("a"), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        #expect(machine.exit("a", at: .at(1)).stopRequested == ["b"])
        #expect(try machine.addChild(supervisorTestChild("new"), now: .at(1)) == [])
        let restart = try #require(machine.exit("b", .returned, at: .at(1)).restart)
        let fired = machine.timerFired(restart.timer, now: restart.deadline)
        #expect(fired.started == ["a", "b", "new"])
        #expect(fired.starts.map(\.restartReason) == ["boom", "sibling_failed", nil], "new starts for the first time")
        #expect(machine.restarts("new") == 0)
    }

    @Test func removingARunningChildStopsItGracefullyThenForgetsIt() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        let remove = try machine.removeChild(named: "a", now: .at(1))
        #expect(remove.stopRequested == ["a"])
        #expect(remove.removed.isEmpty)
        #expect(machine.contains("a"))
        #expect(machine.aliveChildren == ["b"])

        let exit = machine.exit("a", .returned, at: .at(1))
        #expect(exit.removed == ["a"])
        #expect(exit.restart == nil)
        #expect(!machine.contains("a"))
        #expect(throws: RuntimeError.childNotFound) { try machine.removeChild(named: "a", now: .at(1)) }
    }

    @Test func removingAChildWaitingForItsRestartCancelsTheTimer() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")])
        _ = machine.start(now: .at(0))
        let restart = try #require(machine.exit("a", at: .at(1)).restart)
        let remove = try machine.removeChild(named: "a", now: .at(1))
        #expect(remove == [.cancelTimer(restart.timer), .childRemoved("a")])
        #expect(machine.timerFired(restart.timer, now: restart.deadline) == [])
    }

    @Test func removingWhileIdleIsImmediate() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")])
        #expect(try machine.removeChild(named: "a", now: .at(0)) == [.childRemoved("a")])
        #expect(machine.start(now: .at(0)) == [])
    }

    @Test func removalDuringShutdownWaitsForItsTurn() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a"), supervisorTestChild("b")])
        _ = machine.start(now: .at(0))
        #expect(machine.shutdownRequested(now: .at(0)).stopRequested == ["b"])
        let remove = try machine.removeChild(named: "a", now: .at(0))
        #expect(remove.stopRequested.isEmpty, "b is stopped first")
        #expect(machine.exit("b", .returned, at: .at(0)).stopRequested == ["a"])
        let done = machine.exit("a", .returned, at: .at(0))
        #expect(done.removed == ["a"])
        #expect(done.finish == .shutdown)
        #expect(!machine.contains("a"))
    }

    @Test func cancelledRunCompletesPendingRemovals() throws {
        var machine = supervisorTestMachine([supervisorTestChild("a")])
        _ = machine.start(now: .at(0))
        _ = try machine.removeChild(named: "a", now: .at(0))
        #expect(machine.runCancelled().removed == ["a"])
    }
}
