import Logging
import Runtime
import Synchronization
import TestSupport

/// Records every observer call.
final class RecordingSupervisorObserver: SupervisorObserver {
    enum Call: Equatable, Sendable {
        case started(supervisor: String, child: String)
        case restarted(supervisor: String, child: String, reason: String, restarts: Int)
        case alive(supervisor: String, count: Int)
        case escalated(supervisor: String, reason: String)
    }

    private let recorded = Mutex<[Call]>([])

    var calls: [Call] { self.recorded.withLock { $0 } }

    func childStarted(supervisor: String, child: String) {
        self.recorded.withLock { $0.append(.started(supervisor: supervisor, child: child)) }
    }

    func childRestarted(supervisor: String, child: String, reason: String, restarts: Int) {
        self.recorded.withLock { $0.append(.restarted(supervisor: supervisor, child: child, reason: reason, restarts: restarts)) }
    }

    func childrenAlive(supervisor: String, count: Int) {
        self.recorded.withLock { $0.append(.alive(supervisor: supervisor, count: count)) }
    }

    func supervisorEscalated(supervisor: String, reason: String) {
        self.recorded.withLock { $0.append(.escalated(supervisor: supervisor, reason: reason)) }
    }
}

/// Reads a supervisor's event stream in a test.
struct SupervisorEventReader {
    private var iterator: AsyncStream<SupervisorEvent>.Iterator

    init<C>(_ supervisor: Supervisor<C>) {
        self.iterator = supervisor.events().makeAsyncIterator()
    }

    /// Reads events until one satisfies `predicate`; returns every event read, that one last.
    @discardableResult
    mutating func read(until predicate: (SupervisorEvent) -> Bool) async -> [SupervisorEvent] {
        var events: [SupervisorEvent] = []
        while let event = await self.iterator.next() {
            events.append(event)
            if predicate(event) { return events }
        }
        return events
    }

    /// Reads events until `event` arrives; returns every event read, that one last.
    @discardableResult
    mutating func read(until event: SupervisorEvent) async -> [SupervisorEvent] {
        await self.read { $0 == event }
    }
}

extension MockClock.Instant {
    static func at(_ seconds: Double) -> Self {
        Self(.nanoseconds(Int64(seconds * 1_000_000_000)))
    }
}

/// A backoff without delay, for tests that do not look at restart delays.
let immediateRestartBackoff = Backoff(minimum: .zero, maximum: .zero)

extension [SupervisorEvent] {
    var stopRequested: [String] {
        self.compactMap { if case .childStopRequested(let child) = $0 { child } else { nil } }
    }

    var started: [String] {
        self.compactMap { if case .childStarted(let child, _) = $0 { child } else { nil } }
    }
}
