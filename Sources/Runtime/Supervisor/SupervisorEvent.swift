/// Something a supervisor did, as published on ``Supervisor/events()``.
///
/// Meant for tests and diagnostics: a test awaits the event it expects instead of sleeping.
public enum SupervisorEvent: Sendable, Hashable {
    /// An incarnation of `child` was started; `restarts` is its cumulative restart count.
    case childStarted(child: String, restarts: Int)
    /// The current incarnation of `child` ended; `reason` is "normal", "killed" or an error description.
    case childExited(child: String, reason: String)
    /// `child` (or, for a group restart, the child whose failure caused it) restarts after `delay`.
    case restartScheduled(child: String, delay: Duration)
    /// `child` was asked to stop gracefully.
    case childStopRequested(child: String)
    /// `child`'s task was cancelled (killed, or its shutdown timeout passed).
    case childCancelled(child: String)
    /// `child` is no longer supervised.
    case childRemoved(child: String)
    /// Restart intensity exceeded: the supervisor stops its children and `run()` will throw.
    case escalated(reason: String)
}
