import ServiceLifecycle

/// How to run and restart one child of a ``Supervisor``.
public struct ChildSpec: Sendable {
    /// Unique among the supervisor's children; used in logs, metrics and snapshots.
    public var name: String
    /// When the child is restarted after it exits.
    public var restart: RestartType
    /// Time granted after the graceful stop request before the child's task is cancelled.
    public var shutdownTimeout: Duration
    /// The child's body. Returning is a normal exit; throwing (or being killed) is a failure.
    public var run: @Sendable (ChildContext) async throws -> Void
    /// For a child that is itself a supervisor: its live subtree for snapshots.
    public var snapshot: (@Sendable () async -> SupervisionTreeNode)?

    /// - Parameters:
    ///   - name: Unique among the supervisor's children.
    ///   - restart: When to restart the child. Default `.permanent`.
    ///   - shutdownTimeout: Grace period between the stop request and cancellation. Default 5 s.
    ///   - snapshot: For a nested supervisor, its subtree. Default none.
    ///   - run: The child's body, run once per incarnation.
    public init(
        name: String,
        restart: RestartType = .permanent,
        shutdownTimeout: Duration = .seconds(5),
        snapshot: (@Sendable () async -> SupervisionTreeNode)? = nil,
        run: @escaping @Sendable (ChildContext) async throws -> Void
    ) {
        self.name = name
        self.restart = restart
        self.shutdownTimeout = shutdownTimeout
        self.snapshot = snapshot
        self.run = run
    }

    /// A child that runs a swift-service-lifecycle `Service`.
    ///
    /// The service learns of the stop request through graceful shutdown, as it would in a
    /// `ServiceGroup`.
    public init(
        name: String,
        restart: RestartType = .permanent,
        shutdownTimeout: Duration = .seconds(5),
        service: some Service
    ) {
        self.init(name: name, restart: restart, shutdownTimeout: shutdownTimeout) { _ in
            try await service.run()
        }
    }
}
