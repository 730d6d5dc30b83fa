extension SupervisorStateMachine {
    /// What the shell must do, in order.
    enum Action: Equatable {
        /// Start a new incarnation of the child (in the supervisor's task group).
        case startChild(ChildStart)
        /// Ask the incarnation to stop gracefully and schedule its shutdown timeout.
        case requestStop(StopRequest)
        /// Cancel the incarnation's task (kill, or shutdown timeout passed).
        case cancelChild(name: String, generation: SupervisorGeneration)
        /// Start a timer that restarts `child` (or, for a group restart, the group) at `deadline`.
        case scheduleRestart(child: String, timer: SupervisorTimerID, deadline: Instant, delay: Duration)
        /// A timer is no longer needed.
        case cancelTimer(SupervisorTimerID)
        /// The current incarnation of `child` ended; `reason` is "normal", "killed" or an error description.
        case reportExit(child: String, reason: String)
        /// The number of alive children changed.
        case reportAlive(Int)
        /// The child is gone from the supervisor; anyone waiting for its removal can go on.
        case childRemoved(String)
        /// Restart intensity exceeded by `child`'s failure: the supervisor gives up and stops its children.
        case escalate(child: String, reason: String)
        /// Every child has ended: `run()` returns (or throws) with this outcome.
        case finish(Outcome)
    }

    /// One incarnation to start.
    struct ChildStart: Equatable {
        var name: String
        var generation: SupervisorGeneration
        /// The child's cumulative restarts, this incarnation included.
        var restarts: Int
        /// Why it is restarted; `nil` for a first start.
        var restartReason: String?
    }

    /// One graceful stop request, with the deadline after which the task is cancelled.
    struct StopRequest: Equatable {
        var name: String
        var generation: SupervisorGeneration
        var timeoutTimer: SupervisorTimerID
        var deadline: Instant
    }

    /// How a run of the supervisor ended.
    enum Outcome: Equatable {
        /// Ordered shutdown completed.
        case shutdown
        /// Restart intensity exceeded; every child was stopped.
        case escalated(child: String, reason: String)
        /// The task running the supervisor was cancelled; the children were cancelled with it.
        case cancelled
    }

    /// The supervisor's lifecycle.
    ///
    /// Legal transitions:
    /// - `idle` → `running` (``start(now:)``)
    /// - `running` → `stopping(.shutdown)` (``shutdownRequested(now:)``) or
    ///   `stopping(.escalation)` (a failure exceeds the restart intensity)
    /// - `stopping` → `idle` (the last child ended: ``Action/finish(_:)``)
    /// - `running`, `stopping` → `idle` (``runCancelled()``)
    enum Phase: Equatable {
        /// Not running; `lastOutcome` is how the previous run ended, if any.
        case idle(lastOutcome: Outcome?)
        /// Supervising: failed children are restarted.
        case running
        /// Stopping every child, one at a time in reverse start order; nothing is restarted.
        case stopping(StopCause)
    }

    enum StopCause: Equatable {
        case shutdown
        case escalation(child: String, reason: String)
    }

    /// One child and what the supervisor knows about it.
    struct Child {
        var spec: ChildSpec
        var state: ChildState = .stopped
        /// Restarts in the current run (reported in snapshots and to the observer).
        var restarts = 0
        /// Failures without a stable period of `resetBackoffAfter` in between: the backoff attempt.
        var consecutiveFailures = 0
        /// Whether it has been started in the current run (a child added during a group restart has not).
        var hasRun = false
        /// `removeChild` is waiting for this child to end.
        var isBeingRemoved = false

        var name: String { self.spec.name }
    }

    /// A child's state.
    ///
    /// Legal transitions:
    /// - `stopped`, `failed` → `running` (run starts, restart timer or group restart fires)
    /// - `running` → `running` with `isKilled` (kill), `stopping` (stop requested),
    ///   `restarting` / `stopped` / `failed` / removed (its task ended)
    /// - `stopping` → `stopped` / removed (its task ended)
    /// - `restarting` → `running` (timer fired), `stopped` (shutdown or escalation), removed
    /// - any state → `stopped` (the run was cancelled)
    enum ChildState: Equatable {
        /// Not running and not scheduled to run.
        case stopped
        /// Not running: its last incarnation failed while the supervisor was stopping.
        case failed(reason: String)
        /// Its task is running (or has been cancelled by a kill and not ended yet).
        case running(Running)
        /// Asked to stop; its task has not ended yet.
        case stopping(Stopping)
        /// Waiting for its restart timer (`oneForOne` only; group restarts wait in ``RestartPlan``).
        case restarting(timer: SupervisorTimerID, reason: String)
    }

    struct Running: Equatable {
        var generation: SupervisorGeneration
        var since: Instant
        /// The task reported that it began running the body.
        var hasBegun = false
        /// ``killRequested(name:)`` cancelled it; its exit counts as a failure with reason "killed".
        var isKilled = false
    }

    struct Stopping: Equatable {
        var generation: SupervisorGeneration
        var timeoutTimer: SupervisorTimerID
        /// The shutdown timeout passed and the task was cancelled.
        var isCancelled = false
    }

    /// A group restart in progress (`oneForAll`, `restForOne`): stop the members that are still
    /// running, one at a time in reverse start order, then wait `delay`, then start every member
    /// in start order.
    struct RestartPlan: Equatable {
        /// The child whose failure caused the restart (the latest one, if several did).
        var failedChild: String
        var reason: String
        /// Names of the children to stop and restart (temporary ones are removed once stopped).
        var members: Set<String>
        var delay: Duration
        /// Set once every member has stopped and the delay is running.
        var timer: SupervisorTimerID?
    }

    /// What a snapshot shows of one child.
    struct ChildView {
        var name: String
        var state: String
        var restarts: Int
        var snapshot: (@Sendable () async -> SupervisionTreeNode)?
    }
}

extension SupervisorStateMachine.ChildState {
    var generation: SupervisorGeneration? {
        switch self {
        case .running(let running): running.generation
        case .stopping(let stopping): stopping.generation
        case .stopped, .failed, .restarting: nil
        }
    }

    /// Running and neither asked to stop nor killed.
    var isAlive: Bool {
        if case .running(let running) = self { return !running.isKilled }
        return false
    }

    /// Its task is still there but on its way out (asked to stop, or killed).
    var isEnding: Bool {
        switch self {
        case .running(let running): running.isKilled
        case .stopping: true
        case .stopped, .failed, .restarting: false
        }
    }
}
