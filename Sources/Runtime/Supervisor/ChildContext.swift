/// What a supervisor hands to each incarnation of a child.
///
/// A child stops in one of three ways:
/// - it returns or throws by itself;
/// - its supervisor asks it to stop (shutdown, removal, or a sibling's restart under
///   `oneForAll` / `restForOne`): ``shutdownRequested()`` returns and ``isShutdownRequested``
///   becomes true. The same request is also delivered as swift-service-lifecycle graceful
///   shutdown, so a child that uses `withGracefulShutdownHandler` or
///   `cancelWhenGracefulShutdown` (a nested ``Supervisor``, a `Service`) sees it too. The child
///   should finish its current unit of work and return; if it has not ended within its
///   ``ChildSpec/shutdownTimeout``, its task is cancelled;
/// - its task is cancelled (``Supervisor/kill(_:)``, shutdown timeout, or the supervisor's own
///   task being cancelled). A body that swallows cancellation ends only when it next checks
///   (`Task.checkCancellation()`, a cancellable `await`).
public struct ChildContext: Sendable {
    /// The child's name.
    public let name: String
    /// How many times this child has been restarted before this incarnation.
    public let restarts: Int

    let stopSignal: SupervisorSignal

    init(name: String, restarts: Int, stopSignal: SupervisorSignal) {
        self.name = name
        self.restarts = restarts
        self.stopSignal = stopSignal
    }

    /// Returns when the supervisor asks this child to stop gracefully (shutdown or removal);
    /// returns immediately if already asked. Also returns if the task is cancelled.
    public func shutdownRequested() async {
        await self.stopSignal.wait()
    }

    /// Whether the supervisor has asked this child to stop.
    public var isShutdownRequested: Bool { self.stopSignal.isSignalled }
}
