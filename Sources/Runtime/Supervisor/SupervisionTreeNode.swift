/// One node of the supervision tree, as the admin endpoint serves it (JSON).
///
/// A supervisor's node carries its ``strategy`` and ``children``; a plain child's node has
/// neither, and both keys are left out of its JSON:
///
/// ```json
/// {"name": "root", "state": "running", "restarts": 0, "strategy": "one_for_one",
///  "children": [{"name": "metrics", "state": "running", "restarts": 0}]}
/// ```
public struct SupervisionTreeNode: Codable, Sendable, Equatable {
    /// The child's name (for the root, the supervisor's name).
    public var name: String
    /// One of:
    /// - `"starting"`: its task was created and has not begun running its body yet,
    /// - `"running"`: running,
    /// - `"restarting"`: exited and waiting for its restart delay,
    /// - `"stopping"`: asked to stop (or killed) and not ended yet,
    /// - `"stopped"`: not running and not about to be restarted,
    /// - `"failed"`: its last run failed and it will not be restarted (its supervisor gave up
    ///   or is shutting down); for a supervisor, it gave up.
    public var state: String
    /// How many times the child has been restarted since its supervisor started.
    public var restarts: Int
    /// The restart strategy, for supervisors only.
    public var strategy: SupervisionStrategy?
    /// The supervised children in start order, for supervisors only.
    public var children: [SupervisionTreeNode]?

    public init(
        name: String,
        state: String,
        restarts: Int,
        strategy: SupervisionStrategy? = nil,
        children: [SupervisionTreeNode]? = nil
    ) {
        self.name = name
        self.state = state
        self.restarts = restarts
        self.strategy = strategy
        self.children = children
    }
}
