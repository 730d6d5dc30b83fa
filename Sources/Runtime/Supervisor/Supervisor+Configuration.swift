extension Supervisor {
    /// How a supervisor restarts its children and when it gives up.
    public struct Configuration: Sendable {
        /// Which children are restarted when one fails.
        public var strategy: SupervisionStrategy
        /// Restart intensity: more than this many restarts within ``restartWindow`` and the
        /// supervisor stops every child and escalates to its parent.
        public var maxRestarts: Int
        /// Restart period: only restarts younger than this count towards ``maxRestarts``.
        public var restartWindow: Duration
        /// The delay before each restart of a crash-looping child; see ``Supervisor`` for the table.
        public var backoff: Backoff
        /// A child that ran this long before failing counts as stable again: its next restart
        /// waits the short delay of attempt 1.
        public var resetBackoffAfter: Duration
        /// The log message of a restart, e.g. `"worker_restarted"` for the worker supervisor.
        public var restartLogEvent: String
        /// The metadata key that names the child in log events, e.g. `"worker"`.
        public var childMetadataKey: String

        /// - Parameters:
        ///   - strategy: Default `.oneForOne`.
        ///   - maxRestarts: Default 10.
        ///   - restartWindow: Default 60 s.
        ///   - backoff: Default `Backoff()`: 10 ms doubling to 5 s, 20 % jitter.
        ///   - resetBackoffAfter: Default 30 s.
        ///   - restartLogEvent: Default `"child_restarted"`.
        ///   - childMetadataKey: Default `"child"`.
        public init(
            strategy: SupervisionStrategy = .oneForOne,
            maxRestarts: Int = 10,
            restartWindow: Duration = .seconds(60),
            backoff: Backoff = Backoff(),
            resetBackoffAfter: Duration = .seconds(30),
            restartLogEvent: String = "child_restarted",
            childMetadataKey: String = "child"
        ) {
            precondition(maxRestarts >= 0, "maxRestarts must not be negative")
            precondition(restartWindow > .zero, "restartWindow must be positive")
            self.strategy = strategy
            self.maxRestarts = maxRestarts
            self.restartWindow = restartWindow
            self.backoff = backoff
            self.resetBackoffAfter = resetBackoffAfter
            self.restartLogEvent = restartLogEvent
            self.childMetadataKey = childMetadataKey
        }
    }
}
