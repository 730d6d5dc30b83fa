import Testing
import TestSupport

@testable import Runtime

/// Closing the pool: waiters fail, connections close as they come back, then shutdown is done.
@Suite struct PoolStateMachineCloseTests {
    @Test func closeWithNothingOpenIsDoneAtOnce() {
        var machine = makeMachine()
        #expect(machine.close() == [.shutdownDone])
        #expect(machine.lifecycle == .closed)
        #expect(machine.close().isEmpty)
        #expect(machine.leaseRequested(1, now: t(0)) == [.fail(1, .poolClosed)])
    }

    @Test func closeFailsWaitersAndClosesEveryConnectionAsItComesBack() {
        var machine = makeMachine(poolSize: 3, maxOverflow: 1, validateAfterIdle: .seconds(30))
        for request in 1...3 {
            _ = machine.leaseRequested(request, now: t(0))
        }
        _ = machine.connectionEstablished(1, now: t(0))  // leased to 1
        _ = machine.connectionEstablished(2, now: t(0))  // leased to 2
        _ = machine.connectionEstablished(3, now: t(0))  // leased to 3
        _ = machine.connectionReleased(3, failed: false, now: t(0))  // idle
        _ = machine.connectionReleased(2, failed: false, now: t(0))  // idle
        _ = machine.timeoutTimerFired(now: t(30))
        #expect(machine.leaseRequested(5, now: t(40)) == [.validate(2), .scheduleTimeout(at: t(70))])
        #expect(machine.leaseRequested(6, now: t(40)) == [.validate(3)])
        #expect(machine.leaseRequested(7, now: t(40)) == [.connect(4)])
        #expect(machine.leaseRequested(8, now: t(40)).isEmpty)
        #expect(machine.statistics == PoolStatistics(active: 1, idle: 2, opening: 1, max: 4, waiters: 4, timeouts: 0))

        #expect(
            machine.close() == [
                .fail(5, .poolClosed), .fail(6, .poolClosed), .fail(7, .poolClosed), .fail(8, .poolClosed),
            ]
        )
        #expect(machine.lifecycle == .closing)
        #expect(machine.leaseRequested(9, now: t(41)) == [.fail(9, .poolClosed)])
        #expect(machine.validationResult(2, passed: true, now: t(41)) == [.close(2)])
        #expect(machine.validationResult(3, passed: false, now: t(41)) == [.close(3)])
        #expect(machine.connectionEstablished(4, now: t(41)) == [.close(4)])
        #expect(machine.connectionReleased(1, failed: false, now: t(41)) == [.close(1)])
        #expect(machine.connectionClosed(1, now: t(42)).isEmpty)
        #expect(machine.connectionClosed(2, now: t(42)).isEmpty)
        #expect(machine.connectionClosed(3, now: t(42)).isEmpty)
        #expect(machine.connectionClosed(4, now: t(42)) == [.shutdownDone])
        #expect(machine.lifecycle == .closed)
        #expect(machine.statistics == PoolStatistics(active: 0, idle: 0, opening: 0, max: 4, waiters: 0, timeouts: 0))
    }

    @Test func closeClosesIdleConnections() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        _ = machine.connectionEstablished(1, now: t(0))
        _ = machine.connectionReleased(1, failed: false, now: t(0))

        #expect(machine.close() == [.close(1)])
        #expect(machine.connectionClosed(1, now: t(0)) == [.shutdownDone])
    }

    @Test func failedConnectWhileClosingSchedulesNoRetry() {
        var machine = makeMachine()
        _ = machine.leaseRequested(1, now: t(0))
        #expect(machine.close() == [.fail(1, .poolClosed)])
        #expect(machine.connectFailed(1, now: t(0)) == [.shutdownDone])
        #expect(machine.backoffTimerFired(now: t(1)).isEmpty)
        #expect(machine.timeoutTimerFired(now: t(30)).isEmpty)
    }
}
