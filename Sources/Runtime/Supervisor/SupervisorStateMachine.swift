import DequeModule

/// Decides everything a ``Supervisor`` does: which incarnation to start, stop, cancel or
/// restart, when, and when to give up.
///
/// It performs no I/O and never reads a clock: each event carries `now`, and the shell
/// (``Supervisor``) performs the returned ``Action``s in order. Jitter comes from the
/// injected `Generator`, so tests can seed it.
///
/// Every incarnation gets a fresh ``SupervisorGeneration``; events naming an older one are
/// stale and ignored. Timers are identified the same way, so a timer that fires after it
/// was cancelled is ignored too.
struct SupervisorStateMachine<C: Clock, Generator: RandomNumberGenerator> where C.Duration == Duration {
    typealias Instant = C.Instant
    typealias Configuration = Supervisor<C>.Configuration

    // The stored properties are changed only by the state machine's own methods (here and in
    // `SupervisorStateMachine+Decisions.swift`); the shell reads them.
    let configuration: Configuration
    var phase: Phase = .idle(lastOutcome: nil)
    /// In start order.
    var children: [Child]
    var plan: RestartPlan?
    /// When the restarts of the current window happened, oldest first.
    var restartHistory: Deque<Instant> = []
    var generator: Generator
    var nextID: UInt64 = 0
    /// The alive count last reported through ``Action/reportAlive(_:)``.
    var reportedAlive = 0

    init(configuration: Configuration, children: [ChildSpec], generator: Generator) {
        precondition(Set(children.map(\.name)).count == children.count, "supervisor children need unique names")
        self.configuration = configuration
        self.children = children.map { Child(spec: $0) }
        self.generator = generator
    }

    // MARK: Queries

    var isIdle: Bool {
        if case .idle = self.phase { return true }
        return false
    }

    /// Names of running children that have been neither asked to stop nor killed, in start order.
    var aliveChildren: [String] { self.children.filter(\.state.isAlive).map(\.name) }

    func spec(named name: String) -> ChildSpec? {
        self.children.first { $0.name == name }?.spec
    }

    func contains(_ name: String) -> Bool {
        self.children.contains { $0.name == name }
    }

    /// The supervisor's own state, as a snapshot shows it.
    var stateDescription: String {
        switch self.phase {
        case .idle(.escalated?): "failed"
        case .idle: "stopped"
        case .running: "running"
        case .stopping: "stopping"
        }
    }

    var childViews: [ChildView] {
        self.children.map { child in
            ChildView(name: child.name, state: self.describe(child), restarts: child.restarts, snapshot: child.spec.snapshot)
        }
    }

    private func describe(_ child: Child) -> String {
        switch child.state {
        case .running(let running) where running.isKilled: "stopping"
        case .running(let running): running.hasBegun ? "running" : "starting"
        case .stopping: "stopping"
        case .restarting: "restarting"
        case .failed: "failed"
        case .stopped:
            if let plan = self.plan, plan.members.contains(child.name) { "restarting" } else { "stopped" }
        }
    }

    // MARK: Events

    /// `run()` begins: every child starts, in order, with its counters reset.
    mutating func start(now: Instant) -> [Action] {
        precondition(self.isIdle, "a supervisor runs once at a time")
        self.phase = .running
        self.plan = nil
        self.restartHistory.removeAll()
        var actions: [Action] = []
        for index in self.children.indices {
            self.children[index].restarts = 0
            self.children[index].consecutiveFailures = 0
            self.children[index].hasRun = false
            actions.append(.startChild(self.launch(index, now: now, restartReason: nil)))
        }
        self.reportAliveIfChanged(&actions)
        return actions
    }

    /// The incarnation's task began running the child's body.
    mutating func childBegan(name: String, generation: SupervisorGeneration) {
        guard let index = self.index(of: name), case .running(var running) = self.children[index].state,
            running.generation == generation
        else { return }
        running.hasBegun = true
        self.children[index].state = .running(running)
    }

    /// An incarnation's task ended.
    mutating func childExited(
        name: String,
        generation: SupervisorGeneration,
        exit: SupervisorChildExit,
        now: Instant
    ) -> [Action] {
        guard let index = self.index(of: name), self.children[index].state.generation == generation else {
            return []  // an older incarnation: already dealt with
        }
        var actions: [Action] = []
        switch self.children[index].state {
        case .stopping(let stopping):
            if !stopping.isCancelled { actions.append(.cancelTimer(stopping.timeoutTimer)) }
            actions.append(.reportExit(child: name, reason: exit.reason))
            self.children[index].state = .stopped
            if self.children[index].isBeingRemoved || self.children[index].spec.restart == .temporary {
                self.remove(at: index, &actions)
            }
        case .running(let running):
            let failure: String? =
                switch exit {
                case _ where running.isKilled: "killed"
                case .returned: nil
                case .threw(let reason): reason
                }
            actions.append(.reportExit(child: name, reason: failure ?? "normal"))
            self.handleExit(at: index, running: running, failure: failure, now: now, &actions)
        case .stopped, .failed, .restarting:
            return []
        }
        actions += self.advance(now: now)
        self.reportAliveIfChanged(&actions)
        return actions
    }

    /// A timer scheduled through ``Action/scheduleRestart(child:timer:deadline:delay:)`` or a
    /// stop request fired.
    mutating func timerFired(_ timer: SupervisorTimerID, now: Instant) -> [Action] {
        var actions: [Action] = []
        if let plan = self.plan, plan.timer == timer {
            self.plan = nil
            for index in self.children.indices where plan.members.contains(self.children[index].name) {
                guard case .stopped = self.children[index].state else { continue }
                let reason = self.children[index].name == plan.failedChild ? plan.reason : "sibling_failed"
                let restartReason = self.children[index].hasRun ? reason : nil
                if restartReason != nil { self.children[index].restarts += 1 }
                actions.append(.startChild(self.launch(index, now: now, restartReason: restartReason)))
            }
        } else if let index = self.children.firstIndex(where: { $0.state.timer == timer }) {
            switch self.children[index].state {
            case .restarting(_, let reason):
                self.children[index].restarts += 1
                actions.append(.startChild(self.launch(index, now: now, restartReason: reason)))
            case .stopping(var stopping):
                stopping.isCancelled = true
                self.children[index].state = .stopping(stopping)
                actions.append(.cancelChild(name: self.children[index].name, generation: stopping.generation))
            case .running, .stopped, .failed:
                break
            }
        }
        self.reportAliveIfChanged(&actions)
        return actions
    }

    /// Graceful shutdown: stop every child in reverse start order, restart nothing.
    mutating func shutdownRequested(now: Instant) -> [Action] {
        guard case .running = self.phase else { return [] }
        self.phase = .stopping(.shutdown)
        var actions = self.cancelPendingRestarts()
        actions += self.advance(now: now)
        self.reportAliveIfChanged(&actions)
        return actions
    }

    /// Cancel a running child as if it crashed. `nil` when no such child is alive.
    mutating func killRequested(name: String) -> [Action]? {
        guard let index = self.index(of: name), case .running(var running) = self.children[index].state,
            !running.isKilled
        else { return nil }
        running.isKilled = true
        self.children[index].state = .running(running)
        var actions: [Action] = [.cancelChild(name: name, generation: running.generation)]
        self.reportAliveIfChanged(&actions)
        return actions
    }

    /// A new child, appended to the start order. It starts now if the supervisor is running
    /// (after the group, if a group restart is under way), else with the next run.
    mutating func addChild(_ spec: ChildSpec, now: Instant) throws -> [Action] {
        guard !self.contains(spec.name) else {
            throw RuntimeError(.duplicateChild, "a child with this name is already supervised: \(spec.name)")
        }
        self.children.append(Child(spec: spec))
        guard case .running = self.phase else { return [] }
        if self.plan != nil {
            self.plan?.members.insert(spec.name)
            return []
        }
        var actions: [Action] = [.startChild(self.launch(self.children.endIndex - 1, now: now, restartReason: nil))]
        self.reportAliveIfChanged(&actions)
        return actions
    }

    /// Forget a child, stopping it gracefully first if it runs. Once it is gone the actions
    /// include ``Action/childRemoved(_:)`` (at once, if it was not running).
    mutating func removeChild(named name: String, now: Instant) throws -> [Action] {
        guard let index = self.index(of: name) else {
            throw RuntimeError(.childNotFound, "no child with this name: \(name)")
        }
        var actions: [Action] = []
        switch self.children[index].state {
        case .stopped, .failed:
            self.remove(at: index, &actions)
        case .restarting(let timer, _):
            actions.append(.cancelTimer(timer))
            self.remove(at: index, &actions)
        case .running(let running):
            self.children[index].isBeingRemoved = true
            // While stopping, the supervisor gets to it in order; a killed child is ending anyway.
            if case .running = self.phase, !running.isKilled {
                actions += self.requestStop(at: index, now: now)
            }
        case .stopping:
            self.children[index].isBeingRemoved = true
        }
        self.reportAliveIfChanged(&actions)
        return actions
    }

    /// The task running the supervisor was cancelled, and with it every child and timer.
    mutating func runCancelled() -> [Action] {
        var actions: [Action] = []
        guard !self.isIdle else { return actions }
        self.phase = .idle(lastOutcome: .cancelled)
        self.plan = nil
        for index in self.children.indices.reversed() {
            self.children[index].state = .stopped
            if self.children[index].isBeingRemoved { self.remove(at: index, &actions) }
        }
        self.reportAliveIfChanged(&actions)
        return actions
    }
}

extension SupervisorStateMachine.ChildState {
    fileprivate var timer: SupervisorTimerID? {
        switch self {
        case .restarting(let timer, _): timer
        case .stopping(let stopping) where !stopping.isCancelled: stopping.timeoutTimer
        case .running, .stopping, .stopped, .failed: nil
        }
    }
}
