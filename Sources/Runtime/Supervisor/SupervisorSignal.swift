import Synchronization

/// A one-shot signal: once ``signal()`` is called it stays signalled, and every current and
/// future ``wait()`` returns.
///
/// ``wait()`` also returns when the waiting task is cancelled, so a task blocked on a signal
/// never outlives its cancellation.
final class SupervisorSignal: Sendable {
    private struct State {
        var isSignalled = false
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Whether ``signal()`` has been called.
    var isSignalled: Bool { self.state.withLock { $0.isSignalled } }

    /// Signals, resuming every waiter. Calling it again does nothing.
    func signal() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.isSignalled else { return [] }
            state.isSignalled = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the signal is given or the calling task is cancelled.
    func wait() async {
        let id = self.state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    // Checked under the lock: a cancellation handler that ran before this
                    // registration found nothing to resume, so it must be seen here.
                    if state.isSignalled || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
