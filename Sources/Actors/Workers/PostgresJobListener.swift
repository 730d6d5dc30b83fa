import Logging
import PostgresNIO
import Runtime

/// Follows `NOTIFY cricalgo_deposit_jobs` on a dedicated connection and wakes local
/// workers, so jobs queued by another process's ingest are picked up at once. If the
/// connection drops it reconnects with backoff; the workers' slow poll covers the gap.
///
/// A notification's payload (``JobNotification``) carries the number of jobs its transaction
/// queued: that many workers wake (at most `wakeCount`), not all of them, so one queued
/// deposit does not send every idle worker to claim from the queue at once. A payload with
/// no count (an admin requeue) wakes `wakeCount`. Notifications sent by `ownSender` (this
/// process's own store, whose ingest already woke its workers) wake no one.
public struct PostgresJobListener: Sendable {
    let factory: PostgresConnectionFactory
    let logger: Logger
    /// The ``PostgresStore/notificationSender`` of this process's store.
    var ownSender: String?
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
                                    let notification = JobNotification(payload: notification.payload)
                                    signal.notify(count: notification.workersToWake(limit: wakeCount, ownSender: self.ownSender))
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
}
