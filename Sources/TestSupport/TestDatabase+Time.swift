import Actors

extension TestDatabase {
    /// Lets `duration` pass on the database's clock as the job queue sees it: every job's
    /// due time, lease expiry and creation time move back by `duration`. The stores take
    /// due times and leases from the database's clock, so a test cannot move them with the
    /// process's ``WallClock``.
    public func letTimePass(_ duration: Duration) async throws {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        switch self.backend {
        case .sqlite:
            try await self.execute(
                """
                UPDATE deposit_jobs SET run_at = run_at - \(milliseconds), locked_until = locked_until - \(milliseconds),
                    created_at = created_at - \(milliseconds)
                """
            )
        case .postgres:
            try await self.execute(
                """
                UPDATE deposit_jobs SET run_at = run_at - interval '\(milliseconds) milliseconds',
                    locked_until = locked_until - interval '\(milliseconds) milliseconds',
                    created_at = created_at - interval '\(milliseconds) milliseconds'
                """
            )
        }
    }
}
