import Logging
import ServiceLifecycle
import Testing
import TestSupport

@testable import Runtime

/// What `run()` owns: connect attempts and their retries, liveness checks, recycling, and
/// how it ends.
@Suite(.timeLimit(.minutes(1))) struct PoolActorRunTests {
    @Test func databaseDownRetriesOneAttemptAtATimeOnTheBackoffThenServesTheWaiters() async throws {
        let backoff = Backoff(minimum: .milliseconds(100), maximum: .seconds(5), jitter: 0)
        let fixture = PoolFixture(
            autoSucceed: false,
            .init(poolSize: 2, maxOverflow: 1, acquireTimeout: .seconds(60), reconnectBackoff: backoff)
        )
        try await fixture.running { fixture async throws in
            let first = Task { try await fixture.pool.withConnection { $0.id } }
            await fixture.factory.nextConnectAttempt().fail()
            await fixture.observer.waitUntil { $0.connectFailures.count == 1 }
            let second = await fixture.wait(behind: 1)
            let third = await fixture.wait(behind: 2)

            // Each failure schedules the next single probe after the backoff delay.
            for (attempt, delay) in [(2, 100), (3, 200), (4, 400)] {
                let deadline = await fixture.clock.nextBackoffTimer()
                #expect(deadline == fixture.clock.now.advanced(by: .milliseconds(delay)))
                fixture.clock.advance(to: deadline)
                let probe = await fixture.factory.nextConnectAttempt()
                #expect(probe.number == attempt)
                #expect(fixture.factory.snapshot.attemptsInFlight == 1)
                if attempt < 4 { probe.fail() } else { probe.succeed() }
            }
            #expect(fixture.factory.snapshot.maxAttemptsInFlight == 1)
            #expect(fixture.observer.record.connectFailures == [1, 2, 3])

            // Back up: the other waiters get their own attempts at once.
            await fixture.factory.nextConnectAttempt().succeed()
            await fixture.factory.nextConnectAttempt().succeed()
            let ids = [try await first.value, try await second.value, try await third.value]
            #expect(ids.allSatisfy { (1...3).contains($0) })
            #expect(fixture.factory.snapshot.attempts == 6)
            #expect(fixture.observer.record.timeouts == 0)
        }
        #expect(fixture.factory.snapshot.open == 0)
    }

    @Test func connectionFailingValidationIsReplaced() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0, validateAfterIdle: .seconds(10)))
        try await fixture.running { fixture async throws in
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            fixture.clock.advance(by: .seconds(5))
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            #expect(fixture.factory.snapshot.validations == 0)

            fixture.clock.advance(by: .seconds(11))
            fixture.factory.validationPasses = false
            #expect(try await fixture.pool.withConnection { $0.id } == 2)
            #expect(fixture.factory.snapshot.validations == 1)
            #expect(fixture.factory.snapshot.closed == 1)
        }
    }

    @Test func connectionPassingValidationIsReused() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0, validateAfterIdle: .seconds(10)))
        try await fixture.running { fixture async throws in
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            fixture.clock.advance(by: .seconds(11))
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            #expect(fixture.factory.snapshot.validations == 1)
        }
    }

    @Test func oldConnectionIsRecycled() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0, maxConnectionAge: .seconds(60)))
        try await fixture.running { fixture async throws in
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            fixture.clock.advance(by: .seconds(20))
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            fixture.clock.advance(by: .seconds(40))
            #expect(try await fixture.pool.withConnection { $0.id } == 2)
            #expect(fixture.factory.snapshot.closed == 1)
        }
    }

    @Test func acquirersWaitUntilRunStarts() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        let waiter = await fixture.wait(behind: 0)
        #expect(fixture.factory.snapshot.attempts == 0)
        try await fixture.running { _ async throws in
            #expect(try await waiter.value == 1)
        }
    }

    @Test func cancellingRunFailsWaitersAndLeasedConnectionsCloseOnReturn() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        let run = Task { try await fixture.pool.run() }
        let gate = Gate()
        let holder = await fixture.hold(until: gate)
        let waiter = await fixture.wait(behind: 0)

        run.cancel()
        try await run.value
        await #expect(throws: RuntimeError.poolClosed) { try await waiter.value }
        #expect(fixture.factory.snapshot.open == 1)

        // With run() gone, the caller that returns the connection closes it.
        gate.open()
        #expect(try await holder.value == 1)
        #expect(fixture.factory.snapshot.open == 0)
        #expect(fixture.factory.snapshot.invalidCloses == 0)
        await #expect(throws: RuntimeError.poolClosed) { try await fixture.pool.withConnection { $0.id } }
    }

    @Test func cancellingRunClosesIdleConnectionsBeforeReturning() async throws {
        let fixture = PoolFixture(.init(poolSize: 2, maxOverflow: 0))
        let run = Task { try await fixture.pool.run() }
        #expect(try await fixture.pool.withConnection { $0.id } == 1)

        run.cancel()
        try await run.value
        #expect(fixture.factory.snapshot.open == 0)
        #expect(fixture.factory.snapshot.closed == 1)
    }

    @Test func gracefulShutdownOfTheServiceGroupClosesThePool() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        let logger = Logger.silent("pool-tests")
        let group = ServiceGroup(services: [fixture.pool], gracefulShutdownSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(fixture.factory.snapshot.open == 0)
        await #expect(throws: RuntimeError.poolClosed) { try await fixture.pool.withConnection { $0.id } }
    }

    @Test func runsOnTheContinuousClockAndStopsItsTimersWhenClosed() async throws {
        let factory = FakeConnectionFactory(autoSucceed: true)
        let pool = PoolActor(
            factory: factory,
            configuration: .init(poolSize: 1, maxOverflow: 0),
            clock: ContinuousClock(),
            logger: Logger.silent("pool-tests")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            // The first lease arms a 30 s acquire-timeout timer; closing must not wait for it.
            #expect(try await pool.withConnection { $0.id } == 1)
            await pool.close()
            try await group.waitForAll()
        }
        #expect(factory.snapshot.open == 0)
        #expect(factory.snapshot.closed == 1)
    }
}

extension MockClock {
    /// The deadline of the next reconnect timer, skipping acquire-timeout timers (which the
    /// tests above set a minute or more out).
    func nextBackoffTimer() async -> Instant {
        while true {
            let deadline = await self.nextTimerScheduled()
            if deadline.offset < .seconds(60) { return deadline }
        }
    }
}
