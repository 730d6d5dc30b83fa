import Synchronization

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
