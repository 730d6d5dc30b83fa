import Actors
import TestSupport
import Testing

/// Waking idle workers: permits for workers not yet waiting, arrival order, the timeout on
/// a mock clock, and cancellation.
@Suite(.timeLimit(.minutes(1))) struct JobSignalTests {
    @Test func aNotificationWithNoWaiterIsKeptAsAPermitUpToTheMaximum() async {
        let signal = JobSignal(maximumPermits: 3)
        signal.notify(count: 5)
        #expect(signal.permits == 3)
        for _ in 0..<3 { await signal.wait() }  // each returns at once
        #expect(signal.permits == 0)
        signal.notify(count: 0)
        #expect(signal.permits == 0)
    }

    @Test func notificationsWakeWaitersInArrivalOrderAndOnlyAsManyAsCounted() async {
        let signal = JobSignal(maximumPermits: 4)
        let (woken, record) = AsyncStream.makeStream(of: Int.self)
        await withTaskGroup(of: Void.self) { group in
            for index in 1...3 {
                group.addTask {
                    await signal.wait()
                    record.yield(index)
                }
                await signal.waitUntilWaiting(atLeast: index)
            }
            var order = woken.makeAsyncIterator()
            signal.notify(count: 2)
            #expect(await order.next() == 1)
            #expect(await order.next() == 2)
            #expect(signal.waiting == 1)
            #expect(signal.permits == 0)
            signal.notify()
            #expect(await order.next() == 3)
        }
        #expect(signal.waiting == 0)
    }

    @Test func aTimedWaitReturnsAtTheTimeoutOnTheClock() async {
        let signal = JobSignal(maximumPermits: 1)
        let clock = MockClock()
        let waiting = Task { await signal.wait(upTo: .seconds(2), clock: clock) }
        #expect(await clock.nextTimerScheduled() == MockClock.Instant(.seconds(2)))
        await signal.waitUntilWaiting(atLeast: 1)
        clock.advance(by: .seconds(2))
        await waiting.value
        #expect(signal.waiting == 0, "the timed-out waiter is gone")
        signal.notify()
        #expect(signal.permits == 1, "a later notification is not swallowed by it")
    }

    @Test func aTimedWaitReturnsAtANotificationAndDropsItsTimer() async {
        let signal = JobSignal(maximumPermits: 1)
        let clock = MockClock()
        let waiting = Task { await signal.wait(upTo: .seconds(2), clock: clock) }
        await clock.nextTimerScheduled()
        await signal.waitUntilWaiting(atLeast: 1)
        signal.notify()
        await waiting.value
        #expect(clock.sleeperCount == 0)
        #expect(clock.now == MockClock.Instant(.zero))
        #expect(signal.permits == 0)
    }

    @Test func aCancelledWaiterLeavesNoTrace() async {
        let signal = JobSignal(maximumPermits: 1)
        let waiting = Task { await signal.wait() }
        await signal.waitUntilWaiting(atLeast: 1)
        waiting.cancel()
        await waiting.value
        #expect(signal.waiting == 0)
        signal.notify()
        #expect(signal.permits == 1)
    }
}
