import DequeModule
import Synchronization

/// Wakes idle workers when jobs are queued.
///
/// A notification with no worker waiting is kept as a permit (up to the `maximumPermits`
/// given at creation), so a worker that found the queue empty an instant before a job
/// arrived does not sleep through it. Waiters are woken in the order they came.
public final class JobSignal: Sendable {
    private struct State {
        var permits = 0
        var nextID: UInt64 = 0
        var waiters: Deque<(id: UInt64, continuation: CheckedContinuation<Void, Never>)> = []
        /// Callers of ``waitUntilWaiting(atLeast:)``, each with the count it waits for.
        var waitingWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let maximumPermits: Int
    private let state = Mutex(State())

    /// - Parameter maximumPermits: usually the number of workers.
    public init(maximumPermits: Int) {
        self.maximumPermits = max(1, maximumPermits)
    }

    /// Wakes up to `count` waiting workers (or leaves permits for the next ones).
    public func notify(count: Int = 1) {
        guard count > 0 else { return }
        let woken = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            while woken.count < count, let waiter = state.waiters.popFirst() {
                woken.append(waiter.continuation)
            }
            state.permits = min(self.maximumPermits, state.permits + count - woken.count)
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns at the next notification (or at once if a permit is waiting), or when cancelled.
    public func wait() async {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (resumeNow, watchers) = self.state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if state.permits > 0 {
                        state.permits -= 1
                        return (true, [])
                    }
                    if Task.isCancelled { return (true, []) }
                    state.waiters.append((id, continuation))
                    return (false, Self.takeSatisfiedWatchers(&state))
                }
                if resumeNow { continuation.resume() }
                for watcher in watchers { watcher.resume() }
            }
        } onCancel: {
            let continuation = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            continuation?.resume()
        }
    }

    /// Waits for a notification or until `timeout` passes on `clock`, whichever is first.
    public func wait<C: Clock>(upTo timeout: Duration, clock: C) async where C.Duration == Duration {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await clock.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Workers currently waiting (for tests and metrics).
    public var waiting: Int { self.state.withLock { $0.waiters.count } }

    /// Notifications kept for workers that were not waiting yet.
    public var permits: Int { self.state.withLock { $0.permits } }

    /// Returns once at least `count` callers wait in ``wait()``: lets a test notify a worker
    /// it knows is idle, without sleeping.
    public func waitUntilWaiting(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = self.state.withLock { state -> Bool in
                if state.waiters.count >= count { return true }
                state.waitingWatchers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private static func takeSatisfiedWatchers(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard !state.waitingWatchers.isEmpty else { return [] }
        let count = state.waiters.count
        let satisfied = state.waitingWatchers.filter { $0.count <= count }.map(\.continuation)
        state.waitingWatchers.removeAll { $0.count <= count }
        return satisfied
    }
}
