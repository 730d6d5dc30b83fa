import Testing
import TestSupport

@testable import Runtime

/// Connect failures, reconnect backoff and the single probe while the database is down.
@Suite struct PoolStateMachineConnectivityTests {
    @Test func failedConnectFailsNoWaiterAndSchedulesARetry() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        #expect(machine.connectFailed(1, now: t(1)) == [.scheduleReconnect(after: .milliseconds(100))])
        #expect(machine.connectivity == .down(attempt: 1, probe: .scheduled(until: t(1).advanced(by: .milliseconds(100)))))
        #expect(machine.consecutiveFailures == 1)
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 0, opening: 0, max: 3, waiters: 1, timeouts: 0))
    }

    @Test func backoffGrowsPerConsecutiveFailureWithOneProbeAtATime() {
        var machine = makeMachine(poolSize: 5, maxOverflow: 5)
        for request in 1...5 {
            _ = machine.leaseRequested(request, now: t(0))
        }
        // Five attempts started while the database seemed up; the first failure takes it down.
        #expect(machine.connectFailed(1, now: t(0)) == [.scheduleReconnect(after: .milliseconds(100))])
        // Attempts that were already in flight fail without rescheduling anything.
        for connection in 2...5 {
            #expect(machine.connectFailed(connection, now: t(0)).isEmpty)
        }
        // New waiters start nothing while down.
        #expect(machine.leaseRequested(6, now: t(0)).isEmpty)

        // Each elapsed backoff starts exactly one probe; each failed probe doubles the delay.
        var now = MockClock.Instant(.zero)
        var delay = Duration.milliseconds(100)
        var probe = 5
        for expectedDelay in [200, 400, 800, 1600, 3200, 5000, 5000] {
            probe += 1
            now = now.advanced(by: delay)
            #expect(machine.backoffTimerFired(now: now) == [.connect(probe)])
            #expect(machine.statistics.opening == 1)
            #expect(machine.leaseRequested(100 + probe, now: now).isEmpty)
            delay = .milliseconds(expectedDelay)
            #expect(machine.connectFailed(probe, now: now) == [.scheduleReconnect(after: delay)])
        }
        #expect(machine.consecutiveFailures == 8)
        #expect(machine.statistics.waiters == 13)
        #expect(machine.statistics.timeouts == 0)
    }

    @Test func backoffTimerFiringBeforeTheDelayEndsStartsNothing() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectFailed(1, now: t(0))
        // A timer left over from an earlier outage fires before this outage's delay ends.
        #expect(machine.backoffTimerFired(now: MockClock.Instant(.milliseconds(50))).isEmpty)
        #expect(machine.connectivity == .down(attempt: 1, probe: .scheduled(until: MockClock.Instant(.milliseconds(100)))))
        #expect(machine.backoffTimerFired(now: MockClock.Instant(.milliseconds(100))) == [.connect(2)])
    }

    @Test func successfulProbeRestoresNormalConcurrencyAndResetsTheBackoff() {
        var machine = makeMachine(poolSize: 2, maxOverflow: 2)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectFailed(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.leaseRequested(3, now: t(0))
        _ = machine.backoffTimerFired(now: t(1))
        _ = machine.connectFailed(2, now: t(1))
        #expect(machine.consecutiveFailures == 2)
        #expect(machine.backoffTimerFired(now: t(2)) == [.connect(3)])

        // The probe serves the longest waiter; the other two get their own attempts at once.
        #expect(machine.connectionEstablished(3, now: t(2)) == [.lease(3, to: 1, waited: .seconds(2)), .connect(4), .connect(5)])
        #expect(machine.connectivity == .up)
        #expect(machine.consecutiveFailures == 0)

        // The next failure starts the backoff from the beginning again.
        #expect(machine.connectFailed(4, now: t(3)) == [.scheduleReconnect(after: .milliseconds(100))])
    }

    @Test func elapsedBackoffWithNobodyWaitingProbesOnTheNextRequest() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectFailed(1, now: t(0))
        _ = machine.leaseCancelled(1)

        #expect(machine.backoffTimerFired(now: t(1)).isEmpty)
        #expect(machine.connectivity == .down(attempt: 1, probe: .due))
        #expect(machine.leaseRequested(2, now: t(2)) == [.connect(2)])
        #expect(machine.connectivity == .down(attempt: 1, probe: .inFlight(2)))
    }

    @Test func idleConnectionsStillServeWhileDown() {
        var machine = makeMachine(poolSize: 2, maxOverflow: 0)
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectFailed(2, now: t(0))
        _ = machine.leaseCancelled(2)
        _ = machine.connectionReleased(1, failed: false, now: t(1))

        #expect(machine.leaseRequested(3, now: t(2)) == [.lease(1, to: 3, waited: .zero)])
    }

    @Test func stragglerSuccessWhileDownEndsTheOutage() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.leaseRequested(2, now: t(0))
        _ = machine.connectFailed(1, now: t(0))
        // Attempt 2 started before the failure and succeeds: the database is back.
        #expect(machine.connectionEstablished(2, now: t(1)) == [.lease(2, to: 1, waited: .seconds(1)), .connect(3)])
        #expect(machine.connectivity == .up)
        // The pending backoff timer then changes nothing.
        #expect(machine.backoffTimerFired(now: t(1)).isEmpty)
        #expect(machine.connectivity == .up)
    }
}
