import Synchronization

/// Something a supervisor did, as published on ``Supervisor/events()``.
///
/// Meant for tests and diagnostics: a test awaits the event it expects instead of sleeping.
public enum SupervisorEvent: Sendable, Hashable {
    /// An incarnation of `child` was started; `restarts` is its cumulative restart count.
    case childStarted(child: String, restarts: Int)
    /// The current incarnation of `child` ended; `reason` is "normal", "killed" or an error description.
    case childExited(child: String, reason: String)
    /// `child` (or, for a group restart, the child whose failure caused it) restarts after `delay`.
    case restartScheduled(child: String, delay: Duration)
    /// `child` was asked to stop gracefully.
    case childStopRequested(child: String)
    /// `child`'s task was cancelled (killed, or its shutdown timeout passed).
    case childCancelled(child: String)
    /// `child` is no longer supervised.
    case childRemoved(child: String)
    /// Restart intensity exceeded: the supervisor stops its children and `run()` will throw.
    case escalated(reason: String)
}

/// Fans supervisor events out to any number of subscribers.
final class SupervisorEventBroadcaster: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var subscribers: [UInt64: AsyncStream<SupervisorEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())

    init() {}

    deinit {
        let subscribers = self.state.withLock { $0.subscribers.values }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// A stream of the events published from now on, until the consumer stops iterating.
    func subscribe() -> AsyncStream<SupervisorEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SupervisorEvent.self)
        let id = self.state.withLock { state -> UInt64 in
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: SupervisorEvent) {
        let subscribers = self.state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(event) }
    }
}
