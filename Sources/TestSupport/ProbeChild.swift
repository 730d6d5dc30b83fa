import Runtime
import Synchronization

/// Supervisor children whose every incarnation a test drives.
///
/// Each incarnation announces itself on ``starts`` once it is ready for commands, then waits
/// for ``crash(_:)`` (throws ``ProbeChildError``), ``exit(_:)`` (returns), a stop request from
/// its supervisor (returns; unless made with `ignoresShutdown`), or cancellation (throws
/// `CancellationError`).
///
/// ```swift
/// let probe = ProbeChild()
/// var starts = probe.starts.makeAsyncIterator()
/// let supervisor = Supervisor(name: "root", children: [probe.spec("a")], clock: clock, logger: logger)
/// // run it, then:
/// _ = await starts.next()          // a is running
/// probe.crash("a")
/// ```
public final class ProbeChild: Sendable {
    /// One incarnation that began.
    public struct Start: Equatable, Sendable {
        public var name: String
        /// ``ChildContext/restarts`` of the incarnation.
        public var restarts: Int

        public init(name: String, restarts: Int) {
            self.name = name
            self.restarts = restarts
        }
    }

    private enum Command: Sendable { case crash, exit }

    private let mailboxes = Mutex<[String: AsyncStream<Command>.Continuation]>([:])
    private let startsContinuation: AsyncStream<Start>.Continuation
    /// Every incarnation of every child made by this probe, once it is ready for commands.
    /// Read it from one task at a time.
    public let starts: AsyncStream<Start>

    public init() {
        (self.starts, self.startsContinuation) = AsyncStream.makeStream(of: Start.self)
    }

    /// A child spec whose body is driven by this probe.
    ///
    /// - Parameter ignoresShutdown: The body does not react to stop requests, so its supervisor
    ///   cancels it after `shutdownTimeout`.
    public func spec(
        _ name: String,
        restart: RestartType = .permanent,
        shutdownTimeout: Duration = .seconds(5),
        ignoresShutdown: Bool = false
    ) -> ChildSpec {
        ChildSpec(name: name, restart: restart, shutdownTimeout: shutdownTimeout) { context in
            try await self.body(context, ignoresShutdown: ignoresShutdown)
        }
    }

    /// Makes the current incarnation of `name` throw ``ProbeChildError``.
    public func crash(_ name: String) { self.send(.crash, to: name) }

    /// Makes the current incarnation of `name` return.
    public func exit(_ name: String) { self.send(.exit, to: name) }

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
                    case .crash: throw ProbeChildError(child: context.name)
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

extension AsyncStream<ProbeChild.Start>.Iterator {
    /// The names of the next `count` starts, which may come in any order.
    public mutating func next(_ count: Int) async -> Set<String> {
        var names: Set<String> = []
        for _ in 0..<count {
            if let start = await self.next() { names.insert(start.name) }
        }
        return names
    }
}
