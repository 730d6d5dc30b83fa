import Actors
import Synchronization

/// A fault injector whose behaviour the test sets per fault point: fail the next N
/// passes, fail always, or stall until released. Every pass is counted.
public final class ScriptedFaults: FaultInjector {
    public enum Behaviour: Sendable {
        case fail(times: Int)
        case failAlways
        /// The next N passes fail as an unreachable store would (``ServiceError/Code/unavailable``).
        case unavailable(times: Int)
        /// Suspends at the point until ``release(_:)``; the test can await ``stalled(at:)``.
        case stall
    }

    private struct State {
        var behaviours: [FaultPoint: Behaviour] = [:]
        var passes: [FaultPoint: Int] = [:]
        var failures: [FaultPoint: Int] = [:]
        var stalled: [FaultPoint: [CheckedContinuation<Void, Never>]] = [:]
        var stallWatchers: [FaultPoint: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func set(_ point: FaultPoint, _ behaviour: Behaviour?) {
        self.state.withLock { $0.behaviours[point] = behaviour }
    }

    /// How many times code passed `point` (failing or not).
    public func passes(_ point: FaultPoint) -> Int { self.state.withLock { $0.passes[point] ?? 0 } }

    /// How many failures were injected at `point`.
    public func failures(_ point: FaultPoint) -> Int { self.state.withLock { $0.failures[point] ?? 0 } }

    public func check(_ point: FaultPoint) async throws {
        enum Action { case pass, fail, unavailable, stall }
        let action = self.state.withLock { state -> Action in
            state.passes[point, default: 0] += 1
            switch state.behaviours[point] {
            case nil:
                return .pass
            case .fail(let times)?:
                if times <= 1 { state.behaviours[point] = nil } else { state.behaviours[point] = .fail(times: times - 1) }
                state.failures[point, default: 0] += 1
                return .fail
            case .failAlways?:
                state.failures[point, default: 0] += 1
                return .fail
            case .unavailable(let times)?:
                state.behaviours[point] = times <= 1 ? nil : .unavailable(times: times - 1)
                state.failures[point, default: 0] += 1
                return .unavailable
            case .stall?:
                return .stall
            }
        }
        switch action {
        case .pass:
            return
        case .fail:
            throw ServiceError(.injectedFault, "injected fault at \(point.rawValue)")
        case .unavailable:
            throw ServiceError(.unavailable, "injected store unavailability at \(point.rawValue)")
        case .stall:
            await withCheckedContinuation { continuation in
                let watchers = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    state.stalled[point, default: []].append(continuation)
                    defer { state.stallWatchers[point] = [] }
                    return state.stallWatchers[point] ?? []
                }
                for watcher in watchers { watcher.resume() }
            }
        }
    }

    /// Waits until some task is stalled at `point`.
    public func stalled(at point: FaultPoint) async {
        await withCheckedContinuation { continuation in
            let already = self.state.withLock { state -> Bool in
                if !(state.stalled[point] ?? []).isEmpty { return true }
                state.stallWatchers[point, default: []].append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }

    /// Lets every task stalled at `point` continue, and stops stalling there.
    public func release(_ point: FaultPoint) {
        let stalled = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.behaviours[point] = nil
            defer { state.stalled[point] = [] }
            return state.stalled[point] ?? []
        }
        for continuation in stalled { continuation.resume() }
    }
}
