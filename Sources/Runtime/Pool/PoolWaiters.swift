import Synchronization

/// The continuations of callers waiting for a connection, keyed by request id.
///
/// It sits behind a lock rather than on the actor because a task-cancellation handler,
/// which cannot await, must be able to resume a waiter at once. Whoever removes a
/// continuation from the table resumes it, so each is resumed exactly once.
final class PoolWaiters<Value: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var waiting: [Int: CheckedContinuation<Value, any Error>] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// A fresh request id.
    func makeID() -> Int {
        self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
    }

    /// Stores the continuation of the current task. Returns `false`, storing nothing, when the
    /// task is already cancelled; the caller then resumes it with `CancellationError`.
    ///
    /// Checking for cancellation under the lock closes the race with ``cancel(_:)``: the
    /// cancelled flag is set before the handler runs, so either this sees it or the handler
    /// finds the continuation.
    func register(_ id: Int, _ continuation: CheckedContinuation<Value, any Error>) -> Bool {
        self.state.withLock { state in
            guard !Task.isCancelled else { return false }
            state.waiting[id] = continuation
            return true
        }
    }

    /// Resumes the waiter with `CancellationError` if it is still waiting.
    func cancel(_ id: Int) {
        self.resume(id, throwing: CancellationError())
    }

    /// Hands `value` to the waiter. Returns `false` if it no longer waits (it was cancelled).
    func resume(_ id: Int, returning value: Value) -> Bool {
        guard let continuation = self.take(id) else { return false }
        continuation.resume(returning: value)
        return true
    }

    /// Fails the waiter if it still waits.
    func resume(_ id: Int, throwing error: any Error) {
        self.take(id)?.resume(throwing: error)
    }

    /// The number of callers waiting.
    var count: Int { self.state.withLock { $0.waiting.count } }

    private func take(_ id: Int) -> CheckedContinuation<Value, any Error>? {
        self.state.withLock { $0.waiting.removeValue(forKey: id) }
    }
}
