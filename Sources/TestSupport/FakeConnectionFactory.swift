import DequeModule
import Runtime
import Synchronization

/// A ``ConnectionFactory`` whose connect attempts the test decides.
///
/// In the default mode every `connect()` waits until the test takes it with
/// ``nextConnectAttempt()`` and calls ``ConnectAttempt/succeed()`` or
/// ``ConnectAttempt/fail(_:)``. With `autoSucceed` every connect succeeds at once, for load
/// tests. The factory counts opens, closes and validations, tracks the high-water marks of
/// open connections and of concurrent connect attempts, and lets a test wait for a condition
/// on those counts with ``waitUntil(_:)`` instead of sleeping.
public final class FakeConnectionFactory: ConnectionFactory {
    /// A fake connection; ids count up from 1 in the order connects succeed.
    public struct Connection: Sendable, Hashable, CustomStringConvertible {
        public let id: Int
        public var description: String { "connection-\(self.id)" }
    }

    /// The error a failed attempt throws unless the test passes another.
    public struct ConnectError: Error, Equatable {
        public init() {}
    }

    /// What the factory has seen so far.
    public struct Snapshot: Sendable, Equatable {
        /// `connect()` calls so far.
        public var attempts = 0
        /// Attempts in flight (started, not yet succeeded or failed).
        public var attemptsInFlight = 0
        /// The most attempts that were ever in flight at once.
        public var maxAttemptsInFlight = 0
        /// Attempts waiting for the test to take them with ``nextConnectAttempt()``.
        public var attemptsUntaken = 0
        /// Connections opened (successful attempts).
        public var opened = 0
        /// Connections closed.
        public var closed = 0
        /// Connections open now.
        public var open = 0
        /// The most connections that were ever open at once.
        public var maxOpen = 0
        /// `validate` calls so far.
        public var validations = 0
        /// Closes of a connection that was not open (never opened, or closed twice).
        public var invalidCloses = 0
    }

    /// A connect attempt waiting for the test's verdict. Resolve it exactly once.
    public struct ConnectAttempt: Sendable {
        /// 1 for the first `connect()` call, and so on.
        public let number: Int
        fileprivate let continuation: CheckedContinuation<Connection, any Error>
        fileprivate let factory: FakeConnectionFactory

        /// Lets the attempt succeed and returns the new connection.
        @discardableResult
        public func succeed() -> Connection {
            let connection = self.factory.mutate { state in
                state.snapshot.attemptsInFlight -= 1
                return state.openConnection()
            }
            self.continuation.resume(returning: connection)
            return connection
        }

        /// Lets the attempt fail with `error`.
        public func fail(_ error: any Error = ConnectError()) {
            self.factory.mutate { $0.snapshot.attemptsInFlight -= 1 }
            self.continuation.resume(throwing: error)
        }
    }

    private struct Condition {
        var isMet: @Sendable (Snapshot) -> Bool
        var continuation: CheckedContinuation<Snapshot, Never>
    }

    private struct State {
        var snapshot = Snapshot()
        var openIDs: Set<Int> = []
        var validationPasses = true
        var untaken: Deque<ConnectAttempt> = []
        var takers: Deque<CheckedContinuation<ConnectAttempt, Never>> = []
        var conditions: [Condition] = []

        mutating func openConnection() -> Connection {
            self.snapshot.opened += 1
            self.snapshot.open += 1
            self.snapshot.maxOpen = max(self.snapshot.maxOpen, self.snapshot.open)
            self.openIDs.insert(self.snapshot.opened)
            return Connection(id: self.snapshot.opened)
        }
    }

    private let state = Mutex(State())
    private let autoSucceed: Bool

    /// - Parameter autoSucceed: every connect succeeds at once instead of waiting for the test.
    public init(autoSucceed: Bool = false) {
        self.autoSucceed = autoSucceed
    }

    /// The counts so far.
    public var snapshot: Snapshot { self.state.withLock { $0.snapshot } }

    /// Whether `validate` reports connections alive (default `true`).
    public var validationPasses: Bool {
        get { self.state.withLock { $0.validationPasses } }
        set { self.state.withLock { $0.validationPasses = newValue } }
    }

    // MARK: ConnectionFactory

    public func connect() async throws -> Connection {
        if self.autoSucceed {
            return self.mutate { state in
                state.snapshot.attempts += 1
                return state.openConnection()
            }
        }
        return try await withCheckedThrowingContinuation { continuation in
            let taker = self.mutate { state -> (CheckedContinuation<ConnectAttempt, Never>, ConnectAttempt)? in
                state.snapshot.attempts += 1
                state.snapshot.attemptsInFlight += 1
                state.snapshot.maxAttemptsInFlight = max(state.snapshot.maxAttemptsInFlight, state.snapshot.attemptsInFlight)
                let attempt = ConnectAttempt(number: state.snapshot.attempts, continuation: continuation, factory: self)
                if let taker = state.takers.popFirst() { return (taker, attempt) }
                state.untaken.append(attempt)
                state.snapshot.attemptsUntaken += 1
                return nil
            }
            if let (taker, attempt) = taker { taker.resume(returning: attempt) }
        }
    }

    public func validate(_ connection: Connection) async -> Bool {
        self.mutate { state in
            state.snapshot.validations += 1
            return state.validationPasses
        }
    }

    public func close(_ connection: Connection) async {
        self.mutate { state in
            if state.openIDs.remove(connection.id) != nil {
                state.snapshot.closed += 1
                state.snapshot.open -= 1
            } else {
                state.snapshot.invalidCloses += 1
            }
        }
    }

    // MARK: Test control

    /// The next connect attempt, in the order they started; waits until one starts.
    public func nextConnectAttempt() async -> ConnectAttempt {
        await withCheckedContinuation { continuation in
            let attempt = self.mutate { state -> ConnectAttempt? in
                guard let attempt = state.untaken.popFirst() else {
                    state.takers.append(continuation)
                    return nil
                }
                state.snapshot.attemptsUntaken -= 1
                return attempt
            }
            if let attempt { continuation.resume(returning: attempt) }
        }
    }

    /// Waits until `condition` holds for the counts, and returns them.
    @discardableResult
    public func waitUntil(_ condition: @escaping @Sendable (Snapshot) -> Bool) async -> Snapshot {
        await withCheckedContinuation { continuation in
            let met = self.state.withLock { state -> Snapshot? in
                if condition(state.snapshot) { return state.snapshot }
                state.conditions.append(Condition(isMet: condition, continuation: continuation))
                return nil
            }
            if let met { continuation.resume(returning: met) }
        }
    }

    /// Applies `change` and wakes the conditions it satisfies.
    private func mutate<Value: Sendable>(_ change: (inout State) -> Value) -> Value {
        let (value, snapshot, met) = self.state.withLock { state in
            let value = change(&state)
            var met: [CheckedContinuation<Snapshot, Never>] = []
            state.conditions.removeAll { condition in
                guard condition.isMet(state.snapshot) else { return false }
                met.append(condition.continuation)
                return true
            }
            return (value, state.snapshot, met)
        }
        for continuation in met { continuation.resume(returning: snapshot) }
        return value
    }
}
