/// A `Clock<Duration>` read as durations since the instant this value was made, so the group
/// committer can keep and compare deadlines of a clock it only knows as `any Clock<Duration>`
/// (whose instant type it cannot name).
struct DeadlineClock: Sendable {
    /// Time since the base instant.
    let now: @Sendable () -> Duration
    /// Sleeps until `offset` past the base instant; throws `CancellationError` when cancelled.
    let sleep: @Sendable (_ offset: Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let base = clock.now
        self.now = { base.duration(to: clock.now) }
        self.sleep = { offset in try await clock.sleep(until: base.advanced(by: offset), tolerance: nil) }
    }
}
