import Actors
import PropertyBased
import Synchronization

/// Makes one fault point fail at random (seeded) while load flows, in two ways:
///
/// - **error**: the point throws, as a failing query would; the transaction rolls back and
///   the job is retried (or the webhook's batch is answered 503).
/// - **crash**: the task passing the point is cancelled right there, as a killed worker's
///   task is, and unwinds with `CancellationError`; a worker dies and its supervisor starts
///   it again. At `afterCommit` the commit has happened: the crashing worker reports what it
///   committed and dies at its next cancellation check.
///
/// The first pass fails with an error and the second crashes, so every run exercises both;
/// later passes fail at the given rates. ``ScriptedFaults`` fails the next N passes or all of
/// them; a chaos run needs failures sprinkled through the load instead.
final class SeededFaults: FaultInjector {
    private struct State {
        var generator: Xoshiro
        var passes = 0
        var errors = 0
        var crashes = 0
    }

    private enum Decision { case pass, error, crash }

    let point: FaultPoint
    private let errorRate: Double
    private let crashRate: Double
    private let maximumCrashes: Int
    private let state: Mutex<State>

    init(point: FaultPoint, generator: Xoshiro, errorRate: Double, crashRate: Double, maximumCrashes: Int) {
        self.point = point
        self.errorRate = errorRate
        self.crashRate = crashRate
        self.maximumCrashes = maximumCrashes
        self.state = Mutex(State(generator: generator))
    }

    var passes: Int { self.state.withLock { $0.passes } }
    var errors: Int { self.state.withLock { $0.errors } }
    var crashes: Int { self.state.withLock { $0.crashes } }

    func check(_ point: FaultPoint) async throws {
        guard point == self.point else { return }
        let decision = self.state.withLock { state -> Decision in
            state.passes += 1
            let roll = Double.random(in: 0..<1, using: &state.generator)
            if state.passes == 2 || (state.passes > 2 && roll < self.crashRate && state.crashes < self.maximumCrashes) {
                state.crashes += 1
                return .crash
            }
            if state.passes == 1 || roll >= 1 - self.errorRate {
                state.errors += 1
                return .error
            }
            return .pass
        }
        switch decision {
        case .pass:
            return
        case .error:
            throw ServiceError(.injectedFault, "injected fault at \(point.rawValue)")
        case .crash:
            withUnsafeCurrentTask { $0?.cancel() }
            if point != .afterCommit { throw CancellationError() }
        }
    }
}
