/// When a supervisor restarts a child that has exited.
///
/// | restart type | returned normally | threw or was killed |
/// |--------------|-------------------|---------------------|
/// | `permanent`  | restarted         | restarted           |
/// | `transient`  | not restarted     | restarted           |
/// | `temporary`  | removed           | removed             |
///
/// A child that exits while its supervisor is shutting down (or giving up) is never restarted.
public enum RestartType: String, Sendable, Codable, Hashable {
    /// Always restarted: a long-lived service that must be running.
    case permanent
    /// Restarted only after a failure: a job that may finish, but must not die half-way.
    case transient
    /// Never restarted: removed from the supervisor when it exits, for whatever reason.
    case temporary
}
