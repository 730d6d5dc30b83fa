import Testing
import TestSupport

@testable import Runtime

typealias TestMachine = PoolStateMachine<MockClock.Instant>

/// The instant `seconds` after the start.
func t(_ seconds: Int) -> MockClock.Instant {
    MockClock.Instant(.seconds(seconds))
}

func makeMachine(
    poolSize: Int = 2,
    maxOverflow: Int = 1,
    acquireTimeout: Duration = .seconds(30),
    maxConnectionAge: Duration? = nil,
    validateAfterIdle: Duration = .seconds(30)
) -> TestMachine {
    TestMachine(
        poolSize: poolSize,
        maxOverflow: maxOverflow,
        acquireTimeout: acquireTimeout,
        maxConnectionAge: maxConnectionAge,
        validateAfterIdle: validateAfterIdle,
        reconnectBackoff: Backoff(minimum: .milliseconds(100), maximum: .seconds(5), jitter: 0)
    )
}

@Suite struct PoolStateMachineTests {
    @Test func firstLeaseOpensAConnectionAndArmsTheTimeout() {
        var machine = makeMachine()
        #expect(machine.leaseRequested(1, now: t(0)) == [.connect(1), .scheduleTimeout(at: t(30))])
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 0, opening: 1, max: 3, waiters: 1, timeouts: 0))

        #expect(machine.connectionEstablished(1, now: t(2)) == [.lease(1, to: 1, waited: .seconds(2))])
        #expect(machine.statistics == PoolStatistics(active: 1, idle: 0, opening: 0, max: 3, waiters: 0, timeouts: 0))
    }

    @Test func idleConnectionIsLeasedAtOnce() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        #expect(machine.connectionReleased(1, failed: false, now: t(1)).isEmpty)
        #expect(machine.statistics.idle == 1)

        #expect(machine.leaseRequested(2, now: t(2)) == [.lease(1, to: 2, waited: .zero)])
        #expect(machine.statistics.active == 1)
        #expect(machine.statistics.idle == 0)
    }

    @Test func mostRecentlyReturnedIdleConnectionIsLeasedFirst() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionEstablished(2, now: t(0))
        _ = machine.connectionReleased(2, failed: false, now: t(1))
        _ = machine.connectionReleased(1, failed: false, now: t(2))

        #expect(machine.leaseRequested(3, now: t(3)) == [.lease(1, to: 3, waited: .zero)])
    }

    @Test func opensNoMoreThanPoolSizePlusOverflow() {
        var machine = makeMachine(poolSize: 2, maxOverflow: 1)
        #expect(machine.leaseRequested(1, now: t(0)) == [.connect(1), .scheduleTimeout(at: t(30))])
        #expect(machine.leaseRequested(2, now: t(0)) == [.connect(2)])
        #expect(machine.leaseRequested(3, now: t(0)) == [.connect(3)])
        #expect(machine.leaseRequested(4, now: t(0)).isEmpty)
        #expect(machine.leaseRequested(5, now: t(0)).isEmpty)
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 0, opening: 3, max: 3, waiters: 5, timeouts: 0))
    }

    @Test func connectionsAreOpenedOnlyForUncoveredWaiters() {
        var machine = makeMachine(poolSize: 5, maxOverflow: 0)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        // Connection 1 is leased; request 2 needs a new one, request 3 another. (The timer
        // armed for request 1 is still pending, so none is armed.)
        #expect(machine.leaseRequested(2, now: t(0)) == [.connect(2)])
        #expect(machine.leaseRequested(3, now: t(0)) == [.connect(3)])
        // Connection 1 comes back and serves request 2; connection 2, once open, serves 3;
        // connection 3 then has nobody to serve and stays idle (within poolSize).
        #expect(machine.connectionReleased(1, failed: false, now: t(1)) == [.lease(1, to: 2, waited: .seconds(1))])
        #expect(machine.connectionEstablished(2, now: t(1)) == [.lease(2, to: 3, waited: .seconds(1))])
        #expect(machine.connectionEstablished(3, now: t(1)).isEmpty)
        #expect(machine.statistics == PoolStatistics(active: 2, idle: 1, opening: 0, max: 5, waiters: 0, timeouts: 0))
    }

    @Test func returnedConnectionGoesToTheLongestWaiter() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 0)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(1))
        _ = machine.leaseRequested(3, now: t(2))
        #expect(machine.connectionEstablished(1, now: t(3)) == [.lease(1, to: 1, waited: .seconds(3))])
        #expect(machine.connectionReleased(1, failed: false, now: t(4)) == [.lease(1, to: 2, waited: .seconds(3))])
        #expect(machine.connectionReleased(1, failed: false, now: t(5)) == [.lease(1, to: 3, waited: .seconds(3))])
        #expect(machine.connectionReleased(1, failed: false, now: t(6)).isEmpty)
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 1, opening: 0, max: 1, waiters: 0, timeouts: 0))
    }

    @Test func waiterTimesOutAtItsDeadlineAndTheTimerReArms() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 0)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        #expect(machine.leaseRequested(2, now: t(5)) == [])  // the timer armed for request 1 is pending
        #expect(machine.leaseRequested(3, now: t(10)) == [])

        // The timer armed at t(30) for request 1 (long served) finds no expired waiter.
        #expect(machine.timeoutTimerFired(now: t(30)) == [.scheduleTimeout(at: t(35))])
        #expect(machine.timeoutTimerFired(now: t(35)) == [.fail(2, .poolAcquireTimeout), .scheduleTimeout(at: t(40))])
        #expect(machine.statistics.timeouts == 1)
        #expect(machine.statistics.waiters == 1)
        #expect(machine.timeoutTimerFired(now: t(41)) == [.fail(3, .poolAcquireTimeout)])
        #expect(machine.statistics.timeouts == 2)
        #expect(machine.statistics.waiters == 0)
    }

    @Test func cancelledWaiterLeavesTheQueue() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 0)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(1))
        _ = machine.leaseRequested(3, now: t(2))

        #expect(machine.leaseCancelled(2).isEmpty)
        #expect(machine.statistics.waiters == 1)
        #expect(machine.leaseCancelled(2).isEmpty)  // twice, or after being answered: nothing
        #expect(machine.connectionReleased(1, failed: false, now: t(3)) == [.lease(1, to: 3, waited: .seconds(1))])
        // Its deadline no longer matters.
        #expect(machine.timeoutTimerFired(now: t(31)).isEmpty)
        #expect(machine.statistics.timeouts == 0)
    }

    @Test func connectionOpenedForACancelledWaiterIsKeptWithinPoolSize() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 1)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseCancelled(1)
        #expect(machine.connectionEstablished(1, now: t(1)).isEmpty)
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 1, opening: 0, max: 2, waiters: 0, timeouts: 0))
    }

    @Test func overflowIsClosedOnceItSatIdleForTheTimeout() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 1)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionEstablished(2, now: t(0))

        // Returned with nobody waiting: kept, with a timer for when it has idled 10 s.
        #expect(machine.connectionReleased(2, failed: false, now: t(1)) == [.scheduleIdleCheck(at: t(11))])
        #expect(machine.statistics == PoolStatistics(active: 1, idle: 1, opening: 0, max: 2, waiters: 0, timeouts: 0))
        // Reused meanwhile: no connection opened, none closed.
        #expect(machine.leaseRequested(3, now: t(5)) == [.lease(2, to: 3, waited: .zero)])
        #expect(machine.connectionReleased(2, failed: false, now: t(6)).isEmpty)
        // The timer finds it idle only since t(6): it re-arms, then closes it.
        #expect(machine.idleTimerFired(now: t(11)) == [.scheduleIdleCheck(at: t(16))])
        #expect(machine.idleTimerFired(now: t(16)) == [.close(2)])
        #expect(machine.connectionClosed(2, now: t(16)).isEmpty)
        // Back at poolSize, the last connection stays however long it idles.
        #expect(machine.connectionReleased(1, failed: false, now: t(17)).isEmpty)
        #expect(machine.idleTimerFired(now: t(100)).isEmpty)
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 1, opening: 0, max: 2, waiters: 0, timeouts: 0))
    }

    @Test func overflowIdleLongestIsClosedFirstDownToPoolSize() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 2)
        for request in 1...3 { _ = machine.leaseRequested(request, now: t(0)) }
        for connection in 1...3 { _ = machine.connectionEstablished(connection, now: t(0)) }
        #expect(machine.connectionReleased(3, failed: false, now: t(1)) == [.scheduleIdleCheck(at: t(11))])
        #expect(machine.connectionReleased(1, failed: false, now: t(2)).isEmpty)
        #expect(machine.connectionReleased(2, failed: false, now: t(3)).isEmpty)
        // At t(12) connections 3 and 1 have idled 10 s; closing 3 and 1 leaves poolSize.
        #expect(machine.idleTimerFired(now: t(12)) == [.close(3), .close(1)])
        #expect(machine.statistics.idle == 1)
    }

    @Test func overflowConnectionServesAWaiterInsteadOfClosing() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 1)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionEstablished(2, now: t(0))
        _ = machine.leaseRequested(3, now: t(1))

        #expect(machine.connectionReleased(2, failed: false, now: t(2)) == [.lease(2, to: 3, waited: .seconds(1))])
    }

    @Test func brokenConnectionIsClosedAndReplacedForTheNextWaiter() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 0)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(1))

        // The close still counts against the limit, so the replacement waits for it.
        #expect(machine.connectionReleased(1, failed: true, now: t(2)) == [.close(1)])
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 0, opening: 0, max: 1, waiters: 1, timeouts: 0))
        #expect(machine.connectionClosed(1, now: t(2)) == [.connect(2)])
        #expect(machine.connectionEstablished(2, now: t(3)) == [.lease(2, to: 2, waited: .seconds(2))])
    }

    @Test func oldConnectionIsRecycledWhenReturned() {
        var machine = makeMachine(maxConnectionAge: .seconds(60))
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        #expect(machine.connectionReleased(1, failed: false, now: t(59)).isEmpty)
        _ = machine.leaseRequested(2, now: t(59))
        #expect(machine.connectionReleased(1, failed: false, now: t(60)) == [.close(1)])
        #expect(machine.statistics.idle == 0)
    }

    @Test func oldIdleConnectionIsRecycledInsteadOfLeased() {
        var machine = makeMachine(maxConnectionAge: .seconds(60), validateAfterIdle: .seconds(600))
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionReleased(1, failed: false, now: t(10))
        #expect(machine.timeoutTimerFired(now: t(30)).isEmpty)

        #expect(machine.leaseRequested(2, now: t(70)) == [.close(1), .connect(2), .scheduleTimeout(at: t(100))])
        #expect(machine.connectionEstablished(2, now: t(71)) == [.lease(2, to: 2, waited: .seconds(1))])
    }

    @Test func connectionIdleTooLongIsValidatedBeforeReuse() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 0, validateAfterIdle: .seconds(30))
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionReleased(1, failed: false, now: t(0))

        // Idle exactly validateAfterIdle: reused as is.
        #expect(machine.leaseRequested(2, now: t(30)) == [.lease(1, to: 2, waited: .zero)])
        _ = machine.connectionReleased(1, failed: false, now: t(30))
        #expect(machine.timeoutTimerFired(now: t(30)).isEmpty)

        // Idle longer: validated first, set aside for the waiter, no new connection.
        #expect(machine.leaseRequested(3, now: t(61)) == [.validate(1), .scheduleTimeout(at: t(91))])
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 1, opening: 0, max: 1, waiters: 1, timeouts: 0))
        #expect(machine.validationResult(1, passed: true, now: t(62)) == [.lease(1, to: 3, waited: .seconds(1))])
    }

    @Test func connectionFailingValidationIsClosedAndAnotherOpened() {
        var machine = makeMachine(poolSize: 1, maxOverflow: 0, validateAfterIdle: .seconds(30))
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionReleased(1, failed: false, now: t(0))
        _ = machine.leaseRequested(2, now: t(100))

        #expect(machine.validationResult(1, passed: false, now: t(100)) == [.close(1)])
        #expect(machine.connectionClosed(1, now: t(100)) == [.connect(2)])
        #expect(machine.connectionEstablished(2, now: t(101)) == [.lease(2, to: 2, waited: .seconds(1))])
    }

    @Test func staleIdleConnectionIsValidatedWhileAFreshOneServes() {
        var machine = makeMachine(poolSize: 2, maxOverflow: 0, validateAfterIdle: .seconds(30))
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionEstablished(2, now: t(0))
        _ = machine.connectionReleased(2, failed: false, now: t(0))
        _ = machine.connectionReleased(1, failed: false, now: t(50))
        #expect(machine.timeoutTimerFired(now: t(50)).isEmpty)

        // Connection 1 is fresh (idle 10 s), connection 2 stale (idle 60 s).
        #expect(machine.leaseRequested(3, now: t(60)) == [.lease(1, to: 3, waited: .zero)])
        #expect(machine.leaseRequested(4, now: t(60)) == [.validate(2), .scheduleTimeout(at: t(90))])
    }

    @Test func freshConnectionServesAWaiterWithoutWaitingForAValidation() {
        var machine = makeMachine(poolSize: 2, maxOverflow: 0, validateAfterIdle: .seconds(30))
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionEstablished(2, now: t(0))
        _ = machine.connectionReleased(1, failed: false, now: t(0))
        _ = machine.timeoutTimerFired(now: t(30))

        #expect(machine.leaseRequested(3, now: t(100)) == [.validate(1), .scheduleTimeout(at: t(130))])
        #expect(machine.connectionReleased(2, failed: false, now: t(100)) == [.lease(2, to: 3, waited: .zero)])
        #expect(machine.validationResult(1, passed: true, now: t(101)).isEmpty)
        #expect(machine.statistics == PoolStatistics(active: 1, idle: 1, opening: 0, max: 2, waiters: 0, timeouts: 0))
    }
}
