import Logging
import Runtime
import Synchronization
import TestSupport

/// SplitMix64: a seeded generator, so jitter is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Records every observer call.
final class RecordingObserver: SupervisorObserver {
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

/// Keeps every log record a ``CapturingLogHandler`` receives.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let recorded = Mutex<[Record]>([])

    var records: [Record] { self.recorded.withLock { $0 } }

    func append(_ record: Record) { self.recorded.withLock { $0.append(record) } }

    /// A logger that writes here, at every level.
    func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in CapturingLogHandler(capture: self) }
    }
}

/// A `LogHandler` that stores records in a ``LogCapture``.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        self.capture.append(
            LogCapture.Record(
                level: event.level,
                message: event.message.description,
                metadata: merged.mapValues { $0.description }
            )
        )
    }
}

/// Reads a supervisor's event stream in a test.
struct EventReader {
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

enum ProbeError: Error, CustomStringConvertible {
    case crashed(String)

    var description: String {
        switch self {
        case .crashed(let name): "probe \(name) crashed"
        }
    }
}

/// Child bodies that a test drives: each incarnation announces itself on ``starts`` and then
/// waits for a command (crash or exit), a stop request (unless told to ignore it) or cancellation.
final class Probe: Sendable {
    enum Command: Sendable { case crash, exit }

    struct Start: Equatable, Sendable {
        var name: String
        var restarts: Int
    }

    private let mailboxes = Mutex<[String: AsyncStream<Command>.Continuation]>([:])
    private let startsContinuation: AsyncStream<Start>.Continuation
    /// Every incarnation that began, once its mailbox is ready.
    let starts: AsyncStream<Start>

    init() {
        (self.starts, self.startsContinuation) = AsyncStream.makeStream(of: Start.self)
    }

    func spec(
        _ name: String,
        restart: RestartType = .permanent,
        shutdownTimeout: Duration = .seconds(5),
        ignoresShutdown: Bool = false
    ) -> ChildSpec {
        ChildSpec(name: name, restart: restart, shutdownTimeout: shutdownTimeout) { context in
            try await self.body(context, ignoresShutdown: ignoresShutdown)
        }
    }

    /// Makes the current incarnation of `name` throw.
    func crash(_ name: String) { self.send(.crash, to: name) }

    /// Makes the current incarnation of `name` return.
    func exit(_ name: String) { self.send(.exit, to: name) }

    private func send(_ command: Command, to name: String) {
        let mailbox = self.mailboxes.withLock { $0[name] }
        mailbox?.yield(command)
    }

    private func body(_ context: ChildContext, ignoresShutdown: Bool) async throws {
        let (commands, mailbox) = AsyncStream.makeStream(of: Command.self)
        self.mailboxes.withLock { $0[context.name] = mailbox }
        self.startsContinuation.yield(Start(name: context.name, restarts: context.restarts))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await command in commands {
                    switch command {
                    case .crash: throw ProbeError.crashed(context.name)
                    case .exit: return
                    }
                }
                throw CancellationError()
            }
            if !ignoresShutdown {
                group.addTask {
                    await context.shutdownRequested()
                    try Task.checkCancellation()
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

extension MockClock.Instant {
    static func seconds(_ seconds: Double) -> Self {
        Self(.nanoseconds(Int64(seconds * 1_000_000_000)))
    }
}

/// A logger that drops everything.
func quietLogger() -> Logger {
    Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}

/// A backoff without delay, for tests that do not look at restart delays.
let immediateBackoff = Backoff(minimum: .zero, maximum: .zero)

extension AsyncStream<Probe.Start>.Iterator {
    /// The next `count` starts, in any order.
    mutating func next(_ count: Int) async -> Set<String> {
        var names: Set<String> = []
        for _ in 0..<count {
            if let start = await self.next() { names.insert(start.name) }
        }
        return names
    }
}

extension [SupervisorEvent] {
    var stopRequested: [String] {
        self.compactMap { if case .childStopRequested(let child) = $0 { child } else { nil } }
    }

    var started: [String] {
        self.compactMap { if case .childStarted(let child, _) = $0 { child } else { nil } }
    }
}
