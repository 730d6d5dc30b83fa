public struct StoreStatistics: Sendable, Hashable {
    /// Deposits per state; every state present, zero when none.
    public var deposits: [DepositState: Int]
    /// Jobs not yet finished (due, scheduled for retry, or leased).
    public var queueDepth: Int
    /// How long the oldest due, unleased job has waited; zero when none.
    public var oldestDueAge: Duration
    /// How long ago the oldest unfinished job was queued, whatever its due time or lease
    /// (a job rescheduled again and again, or held by a stuck lease, still ages); zero when none.
    public var oldestJobAge: Duration

    /// The most rows the monitor counts per state: beyond it the count reads `countCap`
    /// (the gauge then means "at least"), so a refresh costs the same at any history size.
    public static let countCap = 100_000

    public init(deposits: [DepositState: Int], queueDepth: Int, oldestDueAge: Duration, oldestJobAge: Duration = .zero) {
        self.deposits = deposits
        self.queueDepth = queueDepth
        self.oldestDueAge = oldestDueAge
        self.oldestJobAge = oldestJobAge
    }
}
