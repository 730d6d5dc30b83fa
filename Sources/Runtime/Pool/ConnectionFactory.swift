/// Opens, checks and closes the connections a ``PoolActor`` rations.
///
/// The pool calls these methods from its own tasks, never while it holds state, so an
/// implementation may take as long as the network needs. A factory is shared by every task
/// of the pool and must be `Sendable`.
public protocol ConnectionFactory: Sendable {
    /// The connection the pool hands out.
    associatedtype Connection: Sendable

    /// Opens a new connection. A thrown error counts as a failed connect attempt: the pool
    /// retries after its reconnect backoff and does not fail any waiter because of it.
    ///
    /// The pool does not cancel an attempt, and waits for attempts in flight before it
    /// finishes closing, so an implementation should give up on its own (a connect timeout).
    func connect() async throws -> Connection

    /// A cheap liveness check (e.g. `SELECT 1`) before reusing a connection that sat idle.
    ///
    /// Returns `false` when the connection is unusable; the pool then closes it.
    func validate(_ connection: Connection) async -> Bool

    /// Closes a connection. Called once per connection the pool opened; must not throw and
    /// should return promptly even if the peer is gone.
    func close(_ connection: Connection) async

    /// Whether a connection coming back from a lease may be handed out again, checked
    /// without I/O (e.g. it was not closed meanwhile). Default: always.
    func isReusable(_ connection: Connection) -> Bool
}

extension ConnectionFactory {
    public func isReusable(_ connection: Connection) -> Bool { true }
}
