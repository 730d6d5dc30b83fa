import Actors
import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

/// The ingest statement itself notifies `cricalgo_deposit_jobs` when it queued jobs, with
/// the count and the store's sender (what ``PostgresJobListener`` reads), and stays silent
/// when it queued none.
@Suite(.serialized, .timeLimit(.minutes(1))) struct PostgresJobNotificationTests {
    @Test func ingestNotifiesTheJobsItQueuedAndItsSender() async throws {
        guard TestBackend.available.contains(.postgres) else { return }
        try await TestDatabase.with(.postgres) { database in
            guard case .postgres(let address) = database.location else { return }
            try await withStore(database) { store in
                let sender = try #require(store as? PostgresStore).notificationSender
                #expect(sender.count == 16)
                let logger = Logger.silent()
                let listener = try await PostgresConnection.connect(
                    configuration: .init(host: address.host, port: address.port, username: address.username,
                                         password: address.password, database: address.database, tls: .disable),
                    id: 1, logger: logger
                )
                try await withCleanup {
                    try await withDeadline(.seconds(30), "notifications") {
                        try await listener.listen(on: PostgresStore.jobsChannel) { notifications in
                            var received = notifications.makeAsyncIterator()
                            // Two ready deposits and a pending one: two jobs queued.
                            _ = try await store.ingest(
                                [record("n-1"), record("n-2"), record("n-3", confirmations: 1, status: .pending)],
                                confirmationThreshold: 12
                            )
                            #expect(try await received.next()?.payload == "2 \(sender)")
                            // A batch that queues nothing sends nothing: the next notification
                            // is the one of the batch after it.
                            _ = try await store.ingest([record("n-4", confirmations: 1, status: .pending)], confirmationThreshold: 12)
                            _ = try await store.ingest([record("n-1")], confirmationThreshold: 12)
                            _ = try await store.ingest([record("n-5")], confirmationThreshold: 12)
                            let next = try await received.next()?.payload
                            #expect(next == "1 \(sender)")
                            #expect(JobNotification(payload: next ?? "") == JobNotification(jobs: 1, sender: sender))
                        }
                    }
                } cleanup: {
                    try await listener.close()
                }
            }
        }
    }
}
