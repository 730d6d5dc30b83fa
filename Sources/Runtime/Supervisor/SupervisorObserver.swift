/// Receives what a supervisor does, for metrics (`supervisor_restarts_total`, `workers_alive`).
///
/// Calls are made synchronously on the supervisor, so implementations must be cheap and
/// must not block. Every method has a no-op default.
public protocol SupervisorObserver: Sendable {
    /// A child incarnation was started (first start and every restart).
    func childStarted(supervisor: String, child: String)
    /// A child was restarted; `restarts` is its cumulative count, `reason` why (see ``Supervisor``).
    func childRestarted(supervisor: String, child: String, reason: String, restarts: Int)
    /// The number of alive children changed.
    func childrenAlive(supervisor: String, count: Int)
    /// The supervisor exceeded its restart intensity and gave up.
    func supervisorEscalated(supervisor: String, reason: String)
}

extension SupervisorObserver {
    public func childStarted(supervisor: String, child: String) {}
    public func childRestarted(supervisor: String, child: String, reason: String, restarts: Int) {}
    public func childrenAlive(supervisor: String, count: Int) {}
    public func supervisorEscalated(supervisor: String, reason: String) {}
}
