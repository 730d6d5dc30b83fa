import Logging
import ServiceLifecycle

/// An Erlang/OTP-style supervisor: runs its children, restarts them by their ``RestartType``
/// and its ``SupervisionStrategy``, with exponential backoff between restarts of a
/// crash-looping child, and gives up (escalates to its parent) when they fail too often.
///
/// ## Restart delays
/// The delay before a restart is ``Configuration/backoff`` at attempt *k*, where *k* counts the
/// child's failures in a row; a child that ran at least ``Configuration/resetBackoffAfter``
/// before failing is back at attempt 1. With the defaults (``Backoff`` 10 ms doubling to 5 s,
/// ±20 % jitter; reset after 30 s; at most 10 restarts in 60 s):
///
/// | failure in a row | delay before the restart | total waited |
/// |-----------------:|--------------------------|-------------:|
/// |                1 | 10 ms (8–12 ms)          |        10 ms |
/// |                2 | 20 ms (16–24 ms)         |        30 ms |
/// |                3 | 40 ms (32–48 ms)         |        70 ms |
/// |                5 | 160 ms (128–192 ms)      |       310 ms |
/// |                8 | 1.28 s (1.02–1.54 s)     |       2.55 s |
/// |               10 | 5 s (4–5 s, capped)      |      10.11 s |
/// |               11 | none: the 11th restart within 60 s escalates | |
///
/// So a child that crashes at once on every start makes its supervisor give up after about
/// 10 s, while a child that crashes once an hour is restarted after 10 ms every time.
///
/// ## Lifecycle
/// ``run()`` starts the children in order and supervises them until ``shutdown()`` (or
/// swift-service-lifecycle graceful shutdown, when run in a `ServiceGroup`) or until the restart
/// intensity is exceeded. Either way the children are stopped one at a time in reverse start
/// order: each is asked to stop (``ChildContext/shutdownRequested()``, and graceful shutdown
/// for the child's own task), given ``ChildSpec/shutdownTimeout`` on the supervisor's clock,
/// then cancelled. Cancelling the task running ``run()`` cancels every child at once instead.
///
/// ## Logging
/// A restart logs ``Configuration/restartLogEvent`` at warning level with metadata
/// `[childMetadataKey: child, "reason", "restarts", "supervisor"]`; giving up logs
/// `supervisor_escalated` at error level. A reason is "normal" (returned), "killed"
/// (``kill(_:)``), "sibling_failed" (restarted with a failed sibling) or the error's description.
public actor Supervisor<C: Clock>: Service where C.Duration == Duration {
    /// The supervisor's name, used in logs, metrics, snapshots and as its name as a child.
    public nonisolated let name: String
    let configuration: Configuration
    let clock: C
    let logger: Logger
    let observer: any SupervisorObserver
    let broadcaster = SupervisorEventBroadcaster()
    var machine: SupervisorStateMachine<C, SystemRandomNumberGenerator>
    /// The current run; `nil` when idle.
    var activeRun: ActiveRun?
    /// `removeChild` callers waiting for the child to be gone, by child name.
    var removalWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// What exists only while ``run()`` runs.
    struct ActiveRun {
        var mailbox: AsyncStream<Message>.Continuation
        /// The current incarnation of each child with a task.
        var incarnations: [String: ChildIncarnation] = [:]
        /// Cancellation signals of the pending timers.
        var timers: [SupervisorTimerID: SupervisorSignal] = [:]
        /// Set when the state machine says the run is over.
        var outcome: SupervisorStateMachine<C, SystemRandomNumberGenerator>.Outcome?
    }

    /// - Parameters:
    ///   - name: Unique among its siblings when this supervisor is itself a child.
    ///   - configuration: Strategy, restart intensity and backoff.
    ///   - children: Started in this order; names must be unique.
    ///   - clock: Measures restart delays, shutdown timeouts and the intensity window.
    ///   - logger: Receives the events described above.
    ///   - observer: Receives starts, restarts, alive counts and escalation, for metrics.
    public init(
        name: String,
        configuration: Configuration = .init(),
        children: [ChildSpec] = [],
        clock: C,
        logger: Logger,
        observer: any SupervisorObserver = NoOpSupervisorObserver()
    ) {
        self.name = name
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.observer = observer
        self.machine = SupervisorStateMachine(
            configuration: configuration,
            children: children,
            generator: SystemRandomNumberGenerator()
        )
    }

    /// Runs the children until graceful shutdown (returns normally) or escalation (throws
    /// `RuntimeError.supervisorEscalated`). Can be run again after it returned (state resets,
    /// children start fresh); a parent supervisor restarting this one relies on that.
    ///
    /// Returns normally too when its task is cancelled, after every child's task has ended.
    /// Throws `RuntimeError.supervisorAlreadyRunning` if it is running already.
    public func run() async throws {
        guard self.machine.isIdle else {
            throw RuntimeError(.supervisorAlreadyRunning, "supervisor \(self.name) is already running")
        }
        let (mailbox, continuation) = AsyncStream.makeStream(of: Message.self)
        self.activeRun = ActiveRun(mailbox: continuation)
        self.logger.info("supervisor_started", metadata: ["supervisor": "\(self.name)"])
        self.apply(self.machine.start(now: self.clock.now))

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // Ends early (nil) if this task is cancelled; the group's children are cancelled with it.
                for await message in mailbox {
                    self.receive(message, group: &group)
                    if self.activeRun?.outcome != nil { break }
                }
                group.cancelAll()  // leftover timers
            }
        } onGracefulShutdown: {
            continuation.yield(.gracefulShutdown)
        }

        continuation.finish()
        let outcome = self.activeRun?.outcome
        if outcome == nil { self.apply(self.machine.runCancelled()) }
        self.activeRun = nil
        switch outcome {
        case .shutdown:
            self.logger.info("supervisor_stopped", metadata: ["supervisor": "\(self.name)"])
        case .cancelled, nil:
            self.logger.info("supervisor_cancelled", metadata: ["supervisor": "\(self.name)"])
        case .escalated(let child, let reason):
            throw RuntimeError(.supervisorEscalated, self.escalationMessage(child: child, reason: reason))
        }
    }

    /// Asks for an ordered graceful shutdown (reverse start order, per-child timeout, then
    /// cancel); ``run()`` returns once every child has ended. Does nothing unless running.
    /// Also triggered by swift-service-lifecycle graceful shutdown.
    public func shutdown() {
        self.apply(self.machine.shutdownRequested(now: self.clock.now))
    }

    /// Adds a child after the existing ones. It starts at once if the supervisor is running
    /// (after a group restart under way, if any), else with the next ``run()``.
    /// Throws `RuntimeError.duplicateChild` if a child has that name.
    public func addChild(_ spec: ChildSpec) throws {
        self.apply(try self.machine.addChild(spec, now: self.clock.now))
    }

    /// Stops the child gracefully (as at shutdown) if it runs, then forgets it.
    /// Throws `RuntimeError.childNotFound` if no child has that name.
    public func removeChild(named name: String) async throws {
        self.apply(try self.machine.removeChild(named: name, now: self.clock.now))
        guard self.machine.contains(name) else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            self.removalWaiters[name, default: []].append(continuation)
        }
    }

    /// Cancels the child's task at whatever point it is; treated as a crash (reason "killed"),
    /// so the child is restarted as its restart type and the strategy say.
    ///
    /// A body that swallows cancellation ends only when it next checks for it.
    /// Returns false when no such child is alive (unknown, not running, stopping, or killed already).
    @discardableResult
    public func kill(_ name: String) -> Bool {
        guard let actions = self.machine.killRequested(name: name) else { return false }
        self.apply(actions)
        return true
    }

    /// Names of the children whose task is running and has been neither asked to stop nor
    /// killed, in start order.
    public func aliveChildren() -> [String] {
        self.machine.aliveChildren
    }

    /// This supervisor and its children, nested supervisors included.
    public func snapshot() async -> SupervisionTreeNode {
        let state = self.machine.stateDescription
        var children: [SupervisionTreeNode] = []
        for view in self.machine.childViews {
            var node = await view.snapshot?() ?? SupervisionTreeNode(name: view.name, state: view.state, restarts: 0)
            // The parent's view of a nested supervisor wins: it knows its restarts and state.
            node.name = view.name
            node.state = view.state
            node.restarts = view.restarts
            children.append(node)
        }
        return SupervisionTreeNode(
            name: self.name,
            state: state,
            restarts: 0,
            strategy: self.configuration.strategy,
            children: children
        )
    }

    /// This supervisor as a child of another one: its ``run()`` as the child's body, its
    /// ``snapshot()`` as the subtree. The parent's stop request reaches it as graceful shutdown.
    public nonisolated func childSpec(
        restart: RestartType = .permanent,
        shutdownTimeout: Duration = .seconds(30)
    ) -> ChildSpec {
        ChildSpec(
            name: self.name,
            restart: restart,
            shutdownTimeout: shutdownTimeout,
            snapshot: { await self.snapshot() },
            run: { _ in try await self.run() }
        )
    }

    /// A stream of what this supervisor does from now on, for tests and diagnostics. Each call
    /// makes an independent subscription, which lasts until its consumer stops iterating.
    public nonisolated func events() -> AsyncStream<SupervisorEvent> {
        self.broadcaster.subscribe()
    }

    func escalationMessage(child: String, reason: String) -> String {
        "supervisor \(self.name) gave up after more than \(self.configuration.maxRestarts) restarts "
            + "within \(self.configuration.restartWindow); last failure: child \(child): \(reason)"
    }
}

/// A supervisor on the system's continuous clock.
public typealias SystemSupervisor = Supervisor<ContinuousClock>

extension Supervisor where C == ContinuousClock {
    /// A supervisor on the continuous clock.
    public init(
        name: String,
        configuration: Configuration = .init(),
        children: [ChildSpec] = [],
        logger: Logger,
        observer: any SupervisorObserver = NoOpSupervisorObserver()
    ) {
        self.init(
            name: name,
            configuration: configuration,
            children: children,
            clock: ContinuousClock(),
            logger: logger,
            observer: observer
        )
    }
}
