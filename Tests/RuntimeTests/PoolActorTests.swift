import Logging
import Synchronization
import Testing
import TestSupport

@testable import Runtime

typealias TestPool = PoolActor<FakeConnectionFactory, MockClock>

/// A pool over a fake factory and a mock clock, with a recording observer.
struct PoolFixture: Sendable {
    let clock = MockClock()
    let factory: FakeConnectionFactory
    let observer = RecordingPoolObserver()
    let pool: TestPool

    init(autoSucceed: Bool = true, _ configuration: TestPool.Configuration) {
        self.factory = FakeConnectionFactory(autoSucceed: autoSucceed)
        self.pool = TestPool(
            factory: self.factory,
            configuration: configuration,
            clock: self.clock,
            logger: Logger.silent("pool-tests"),
            observer: self.observer
        )
    }

    /// Runs the pool while `body` runs, then closes it and waits for `run()` to return.
    func running(_ body: (PoolFixture) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.pool.run() }
            try await body(self)
            await self.pool.close()
            try await group.waitForAll()
        }
    }

    /// Leases a connection in a new task and holds it until `gate` opens; returns once leased.
    func hold(until gate: Gate) async -> Task<Int, any Error> {
        let leased = self.observer.record.waits.count
        let task = Task { try await self.pool.withConnection { connection in
            await gate.wait()
            return connection.id
        } }
        await self.observer.waitUntil { $0.waits.count > leased }
        return task
    }

    /// Asks for a connection in a new task; returns once the request waits in the queue.
    func wait(behind waiters: Int) async -> Task<Int, any Error> {
        let task = Task { try await self.pool.withConnection { $0.id } }
        await self.observer.waitUntil { $0.statistics.waiters > waiters }
        return task
    }
}

/// Counts callers inside a section and remembers the most at once.
final class Watermark: Sendable {
    private let state = Mutex<(current: Int, maximum: Int)>((0, 0))

    var maximum: Int { self.state.withLock { $0.maximum } }

    func enter() {
        self.state.withLock { state in
            state.current += 1
            state.maximum = max(state.maximum, state.current)
        }
    }

    func leave() {
        self.state.withLock { $0.current -= 1 }
    }
}

struct Boom: Error, Equatable {}

/// A caller with its own isolated state, like a worker actor using the pool.
actor CountingCaller {
    private(set) var uses = 0

    /// The body touches this actor's state directly: it runs in the caller's isolation.
    func use(_ pool: TestPool) async throws -> Int {
        try await pool.withConnection { connection in
            self.uses += 1
            return connection.id
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct PoolActorTests {
    @Test func hundredConcurrentAcquirersShareAtMostThreeConnections() async throws {
        let fixture = PoolFixture(.init(poolSize: 2, maxOverflow: 1))
        let inBody = Watermark()
        try await fixture.running { fixture async throws in
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await fixture.pool.withConnection { connection in
                            inBody.enter()
                            for _ in 0..<5 { await Task.yield() }
                            inBody.leave()
                            return connection.id
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(ids.count == 100)
            #expect(inBody.maximum <= 3)
            #expect(fixture.factory.snapshot.maxOpen <= 3)
            let statistics = await fixture.pool.statistics()
            #expect(statistics.active == 0)
            #expect(statistics.waiters == 0)
            #expect(statistics.idle <= 3)
            #expect(statistics.timeouts == 0)
            #expect(fixture.observer.record.waits.count == 100)
            // Overflow left idle is closed once it has idled `overflowIdleTimeout` (10 s).
            fixture.clock.advance(by: .seconds(11))
            let shrunk = await fixture.observer.waitUntil { $0.statistics.idle + $0.statistics.active <= 2 }
            #expect(shrunk.statistics.idle <= 2)
        }
        let snapshot = fixture.factory.snapshot
        #expect(snapshot.maxOpen <= 3)
        #expect(snapshot.open == 0)
        #expect(snapshot.closed == snapshot.opened)
        #expect(snapshot.invalidCloses == 0)
    }

    @Test func waiterTimesOutAfterAcquireTimeout() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0, acquireTimeout: .seconds(5)))
        try await fixture.running { fixture async throws in
            let gate = Gate()
            let holder = await fixture.hold(until: gate)
            let waiter = await fixture.wait(behind: 0)

            let deadline = await fixture.clock.nextTimerScheduled()
            #expect(deadline == MockClock.Instant(.seconds(5)))
            fixture.clock.advance(to: deadline)

            await #expect(throws: RuntimeError.poolAcquireTimeout) { try await waiter.value }
            #expect(await fixture.pool.statistics().timeouts == 1)
            #expect(await fixture.observer.waitUntil { $0.timeouts == 1 }.statistics.timeouts == 1)

            gate.open()
            #expect(try await holder.value == 1)
        }
    }

    @Test func cancelledWaiterLeavesTheQueueAndLeaksNothing() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        try await fixture.running { fixture async throws in
            let gate = Gate()
            let holder = await fixture.hold(until: gate)
            let waiter = await fixture.wait(behind: 0)

            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(await fixture.pool.statistics().waiters == 0)

            gate.open()
            #expect(try await holder.value == 1)
            #expect(
                await fixture.pool.statistics() == PoolStatistics(active: 0, idle: 1, opening: 0, max: 1, waiters: 0, timeouts: 0)
            )
            // The one connection is still there for the next caller.
            #expect(try await fixture.pool.withConnection { $0.id } == 1)
            #expect(fixture.factory.snapshot.opened == 1)
            #expect(fixture.factory.snapshot.open == 1)
        }
    }

    @Test func connectionOnItsWayToACancelledWaiterGoesToTheNext() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        try await fixture.running { fixture async throws in
            let gate = Gate()
            let holder = await fixture.hold(until: gate)
            let cancelled = await fixture.wait(behind: 0)
            let next = await fixture.wait(behind: 1)

            // Cancelling resumes the waiter at once; the connection may be handed to it before
            // the pool hears of the cancellation, and must then move on.
            cancelled.cancel()
            gate.open()

            await #expect(throws: CancellationError.self) { try await cancelled.value }
            #expect(try await holder.value == 1)
            #expect(try await next.value == 1)
            #expect(fixture.factory.snapshot.opened == 1)
            #expect(await fixture.pool.statistics().waiters == 0)
        }
    }

    @Test func connectionWhoseBodyThrowsIsClosedNotReused() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        try await fixture.running { fixture async throws in
            await #expect(throws: Boom.self) {
                try await fixture.pool.withConnection { _ in throw Boom() }
            }
            await fixture.factory.waitUntil { $0.closed == 1 }
            #expect(try await fixture.pool.withConnection { $0.id } == 2)
            #expect(fixture.factory.snapshot.open == 1)
        }
    }

    @Test func closeFailsWaitersAndClosesConnectionsAsTheyReturn() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        try await fixture.running { fixture async throws in
            let gate = Gate()
            let holder = await fixture.hold(until: gate)
            let first = await fixture.wait(behind: 0)
            let second = await fixture.wait(behind: 1)

            await fixture.pool.close()
            await #expect(throws: RuntimeError.poolClosed) { try await first.value }
            await #expect(throws: RuntimeError.poolClosed) { try await second.value }
            await #expect(throws: RuntimeError.poolClosed) { try await fixture.pool.withConnection { $0.id } }

            // The leased connection finishes its work, then is closed.
            gate.open()
            #expect(try await holder.value == 1)
            await fixture.factory.waitUntil { $0.closed == 1 }
        }
        #expect(fixture.factory.snapshot.open == 0)
        #expect(fixture.factory.snapshot.invalidCloses == 0)
    }

    @Test func acquireReportsHowLongTheCallerWaited() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        try await fixture.running { fixture async throws in
            let gate = Gate()
            let holder = await fixture.hold(until: gate)
            let waiter = await fixture.wait(behind: 0)
            fixture.clock.advance(by: .seconds(2))
            gate.open()
            #expect(try await holder.value == 1)
            #expect(try await waiter.value == 1)

            #expect(fixture.observer.record.waits == [.zero, .seconds(2)])
            // Reported synchronously as the state changes, so it matches the pool's own view.
            let statistics = await fixture.pool.statistics()
            #expect(fixture.observer.record.statistics == statistics)
        }
    }

    @Test func bodyRunsInTheCallersIsolation() async throws {
        let fixture = PoolFixture(.init(poolSize: 1, maxOverflow: 0))
        try await fixture.running { fixture async throws in
            let caller = CountingCaller()
            #expect(try await caller.use(fixture.pool) == 1)
            #expect(try await caller.use(fixture.pool) == 1)
            #expect(await caller.uses == 2)
        }
    }
}
