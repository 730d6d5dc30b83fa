import Actors
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM while a worker's query waits for a row lock that another session holds: the
/// shutdown timeout cancels the worker, cancelling closes its connection (postgres-nio would
/// otherwise go on waiting), and the process exits. The deposit is credited exactly once
/// after a restart, once the lock is released.
@Suite(.serialized, .timeLimit(.minutes(5))) struct BlockedQueryShutdownChaosTests {
    static let shutdownTimeout = 3
    /// Generous: this bounds a wait, it does not measure performance.
    static let margin: Duration = .seconds(10)

    @Test(.enabled(if: TestBackend.available.contains(.postgres), "needs CRICALGO_TEST_DATABASE_URL"))
    func sigtermEndsAWorkerBlockedOnARowLockHeldElsewhere() async throws {
        try await TestDatabase.with(.postgres) { database in
            try await withChildProcesses { processes in
                let environment = [
                    "HOST": "127.0.0.1", "PORT": "0", "DATABASE_URL": database.url, "ADMIN_TOKEN": RunningService.adminToken,
                    "WORKER_CONCURRENCY": "1", "JOB_LEASE_SECONDS": "2", "SHUTDOWN_TIMEOUT_SECONDS": "\(Self.shutdownTimeout)",
                    // Only cancellation may end the wait: the server's own timeouts are far away.
                    "DB_LOCK_TIMEOUT_MS": "600000", "DB_STATEMENT_TIMEOUT_MS": "600000",
                ]
                let first = try processes.start("blocked", environment: environment)
                let service = RemoteService(port: try await first.waitUntilReady())
                let user = try #require(try await service.createUsers(count: 1, prefix: "lock").first)

                let elapsed = try await database.holdingRowLocks("SELECT 1 FROM wallets WHERE user_id = '\(user)' FOR UPDATE") {
                    let answer = try await service.withClient { client in
                        try await client.webhook(#"{"tx_hash":"lock-held-1","confirmations":12,"amount":"5","metadata":{"user_id":"\#(user)"}}"#)
                    }
                    #expect(answer.status.code == 202)
                    try await Self.waitForLockWaiters(database, atLeast: 1, limit: .seconds(30))

                    let sent = ContinuousClock.now
                    let status = try await stopGracefully(first, limit: .seconds(Int64(Self.shutdownTimeout)) + Self.margin)
                    let elapsed = ContinuousClock.now - sent
                    #expect(status == 0)
                    // The server ended the worker's backend: nobody waits for the lock any more.
                    try await Self.waitForLockWaiters(database, atLeast: 0, atMost: 0, limit: .seconds(30))
                    return elapsed
                }
                print("blocked_query_sigterm exit_after=\(elapsed) shutdown_timeout=\(Self.shutdownTimeout)s")

                let second = try processes.start("restarted", environment: environment)
                let restarted = RemoteService(port: try await second.waitUntilReady())
                try await restarted.waitForBalances([user: try Amount(parsing: "5")], limit: .seconds(60))
                let ledger = try await database.rows(
                    "SELECT count(*)::text FROM ledger_entries l JOIN transactions t ON t.id = l.tx_id WHERE t.tx_hash = 'lock-held-1'"
                )
                #expect(ledger == [["1"]])
                #expect(try await database.rows("SELECT deposit_balance::text FROM wallets WHERE user_id = '\(user)'") == [["5.000000000000000000"]])
                try await stopGracefully(second)
            }
        }
    }

    /// Polls `pg_stat_activity` until the number of sessions of this database waiting for a
    /// lock lies in `atLeast...atMost`, failing after `limit`.
    static func waitForLockWaiters(_ database: TestDatabase, atLeast: Int, atMost: Int = .max, limit: Duration) async throws {
        var count = -1
        let reached = try await Poll.until(every: .milliseconds(50), within: limit) {
            let rows = try await database.rows(
                "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            count = Int(rows.first?.first.flatMap { $0 } ?? "") ?? -1
            return count >= atLeast && count <= atMost
        }
        if reached { return }
        Issue.record("sessions waiting for a lock: \(count), wanted \(atLeast)...\(atMost)")
    }
}
