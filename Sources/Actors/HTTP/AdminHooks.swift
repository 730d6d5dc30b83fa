import Runtime

/// What the admin routes need from the running service beyond the store.
public struct AdminHooks: Sendable {
    /// The live supervision tree.
    public var supervisionTree: @Sendable () async -> SupervisionTreeNode
    /// Kills one worker actor mid-flight; returns its name, or nil when none is alive.
    public var killWorker: @Sendable () async -> String?

    public init(
        supervisionTree: @escaping @Sendable () async -> SupervisionTreeNode,
        killWorker: @escaping @Sendable () async -> String?
    ) {
        self.supervisionTree = supervisionTree
        self.killWorker = killWorker
    }
}
