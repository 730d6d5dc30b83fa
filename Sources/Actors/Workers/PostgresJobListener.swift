import Logging
import PostgresNIO
import Runtime

/// Follows `NOTIFY cricalgo_deposit_jobs` on a dedicated connection and wakes local
/// workers, so jobs queued by another process's ingest are picked up at once. If the
/// connection drops it reconnects with backoff; the workers' slow poll covers the gap.
///
/// A notification's payload is the number of jobs its transaction queued: that many
/// workers wake (at most `wakeCount`), not all of them, so one queued deposit does not
/// send every idle worker to claim from the queue at once. A payload that is not a count
/// (an older sender) wakes `wakeCount`.
public struct PostgresJobListener: Sendable {
    let factory: PostgresConnectionFactory
    let logger: Logger
    var backoff = Backoff(minimum: .milliseconds(200), maximum: .seconds(10))

    public func run<C: Clock>(context: ChildContext, signal: JobSignal, wakeCount: Int, clock: C) async throws where C.Duration == Duration {
        var failures = 0
        while !context.isShutdownRequested {
            try Task.checkCancellation()
            do {
                let connection = try await self.factory.connectDedicated()
                failures = 0
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            try await connection.listen(on: PostgresStore.jobsChannel) { notifications in
                                // Jobs may have been queued while we were not listening.
                                signal.notify(count: wakeCount)
                                for try await notification in notifications {
                                    signal.notify(count: Self.workersToWake(payload: notification.payload, limit: wakeCount))
                                }
                            }
                        }
                        group.addTask { await context.shutdownRequested() }
                        try await group.next()
                        group.cancelAll()
                    }
                    await self.factory.close(connection)
                } catch {
                    await self.factory.close(connection)
                    throw error
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                failures += 1
                let delay = self.backoff.delay(attempt: failures)
                if failures == 1 || failures % 20 == 0 {
                    self.logger.warning("job_listener_disconnected", metadata: ["error": "\(error)", "retry_in_s": "\(delay.seconds)"])
                }
                try await clock.sleep(for: delay)
            }
        }
    }

    /// How many workers one notification wakes: its count of queued jobs, between 1 and `limit`.
    static func workersToWake(payload: String, limit: Int) -> Int {
        let limit = max(1, limit)
        guard let queued = Int(payload), queued > 0 else { return limit }
        return min(queued, limit)
    }
}
