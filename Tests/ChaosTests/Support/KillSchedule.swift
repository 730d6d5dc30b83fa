import Foundation
import PropertyBased
import Runtime
import Synchronization
import TestSupport

/// Kills random alive children of a supervisor on a seeded schedule and measures how long
/// each takes to be started again.
final class KillSchedule: Sendable {
    private struct State {
        /// When each child was killed, in order; the n-th restart answers the n-th kill.
        var kills: [String: [ContinuousClock.Instant]] = [:]
        var replacements: [Duration] = []
    }

    let supervisor: Supervisor<ContinuousClock>
    private let state = Mutex(State())

    init(supervisor: Supervisor<ContinuousClock>) {
        self.supervisor = supervisor
    }

    /// Successful kills so far.
    var kills: Int { self.state.withLock { $0.kills.values.reduce(0) { $0 + $1.count } } }

    /// Time from each kill to its replacement's start, for those replaced so far.
    var replacements: [Duration] { self.state.withLock { $0.replacements } }

    /// Until `stop` is set: waits a seeded `interval` (milliseconds), then kills a seeded
    /// choice among the children alive at that moment (none when all are dead or restarting).
    func run(generator seeded: Xoshiro, interval: ClosedRange<Int>, stop: StopFlag) async throws {
        var generator = seeded
        let clock = ContinuousClock()
        while !stop.isSet {
            try await clock.sleep(for: .milliseconds(generator.pick(interval)))
            let alive = await self.supervisor.aliveChildren()
            let choice = generator.pick(0...Int(UInt16.max))
            guard !alive.isEmpty else { continue }
            let victim = alive[choice % alive.count]
            let killedAt = ContinuousClock.now
            if await self.supervisor.kill(victim) {
                self.state.withLock { $0.kills[victim, default: []].append(killedAt) }
            }
        }
    }

    /// Records replacements from the supervisor's `events` (subscribed before the first kill)
    /// until cancelled.
    func followRestarts(_ events: AsyncStream<SupervisorEvent>) async {
        for await event in events {
            guard case .childStarted(let child, let restarts) = event, restarts > 0 else { continue }
            let now = ContinuousClock.now
            self.state.withLock { state in
                guard let kills = state.kills[child], restarts <= kills.count else { return }
                state.replacements.append(kills[restarts - 1].duration(to: now))
            }
        }
    }

    /// Returns once `target` children are alive again, re-checking at every event of
    /// `events` (subscribed before the first kill, so no restart is missed).
    func waitUntilAlive(_ target: Int, events: AsyncStream<SupervisorEvent>) async throws {
        var iterator = events.makeAsyncIterator()
        while await self.supervisor.aliveChildren().count < target {
            guard await iterator.next() != nil else { throw CancellationError() }
        }
    }
}
