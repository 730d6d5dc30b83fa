import DequeModule
import Synchronization

/// A `Clock` that only moves when a test tells it to.
///
/// Sleepers registered with ``sleep(until:tolerance:)`` are resumed by ``advance(to:)`` /
/// ``advance(by:)`` once their deadline has passed. ``nextTimerScheduled()`` lets a test wait
/// for the code under test to start a timer instead of sleeping itself.
public final class MockClock: Clock {
    public struct Instant: InstantProtocol, Comparable, Hashable, Sendable {
        public typealias Duration = Swift.Duration

        /// Time since the clock was created.
        public var offset: Swift.Duration

        public init(_ offset: Swift.Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Swift.Duration) -> Instant {
            Instant(self.offset + duration)
        }

        public func duration(to other: Instant) -> Swift.Duration {
            other.offset - self.offset
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }
    }

    public typealias Duration = Swift.Duration

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(.zero)
        var nextID: UInt64 = 0
        /// Sorted by deadline, then by registration order.
        var sleepers: [Sleeper] = []
        /// Deadlines registered that no test has observed yet.
        var scheduled: Deque<Instant> = []
        var observers: Deque<CheckedContinuation<Instant, Never>> = []
    }

    private let state = Mutex(State())

    public init() {}

    public var now: Instant { self.state.withLock { $0.now } }

    public var minimumResolution: Swift.Duration { .nanoseconds(1) }

    /// The number of tasks currently sleeping on this clock.
    public var sleeperCount: Int { self.state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wait, resume, cancel }
                let (outcome, observer) = self.state.withLock { state -> (Outcome, CheckedContinuation<Instant, Never>?) in
                    let observer: CheckedContinuation<Instant, Never>?
                    if let first = state.observers.popFirst() {
                        observer = first
                    } else {
                        state.scheduled.append(deadline)
                        observer = nil
                    }
                    if Task.isCancelled { return (.cancel, observer) }
                    if deadline <= state.now { return (.resume, observer) }
                    let index = state.sleepers.firstIndex { $0.deadline > deadline } ?? state.sleepers.endIndex
                    state.sleepers.insert(Sleeper(id: id, deadline: deadline, continuation: continuation), at: index)
                    return (.wait, observer)
                }
                observer?.resume(returning: deadline)
                switch outcome {
                case .wait: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation = self.state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index).continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Waits until some task starts sleeping on this clock and returns its deadline.
    ///
    /// Each registered sleep is reported once, in registration order, whether it was
    /// registered before or after this call.
    @discardableResult
    public func nextTimerScheduled() async -> Instant {
        await withCheckedContinuation { (continuation: CheckedContinuation<Instant, Never>) in
            let scheduled = self.state.withLock { state -> Instant? in
                if let first = state.scheduled.popFirst() { return first }
                state.observers.append(continuation)
                return nil
            }
            if let scheduled { continuation.resume(returning: scheduled) }
        }
    }

    /// Moves time forward to `instant`, waking every sleeper whose deadline has passed.
    public func advance(to instant: Instant) {
        let due = self.state.withLock { state -> [Sleeper] in
            precondition(instant >= state.now, "time only moves forward")
            state.now = instant
            let split = state.sleepers.firstIndex { $0.deadline > instant } ?? state.sleepers.endIndex
            let due = Array(state.sleepers[..<split])
            state.sleepers.removeFirst(split)
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time forward by `duration`.
    public func advance(by duration: Swift.Duration) {
        self.advance(to: self.now.advanced(by: duration))
    }
}
