import Actors
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// The SQLite data file deleted under a running `cricalgo serve`: it stops answering 202
/// (webhooks 503, readiness and /api/v1/health 503) instead of writing into the unlinked
/// file, and never creates a new, empty database at the path.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SQLiteFileChaosTests {
    @Test func aDeletedDataFileTurnsTheServiceUnhealthyInsteadOfLosingWebhooks() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cricalgo.sqlite").path
        let environment = [
            "HOST": "127.0.0.1", "PORT": "0", "LOG_FORMAT": "json", "WORKER_CONCURRENCY": "1", "DATABASE_URL": "sqlite://\(path)",
        ]
        try await withChildProcesses { processes in
            let service = try processes.start("serve", arguments: ["serve"], environment: environment, directory: directory)
            let port = try await service.waitUntilReady()
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let before = try await client.webhook(#"{"tx_hash":"file-before","confirmations":3,"amount":"1.0"}"#)
                #expect(before.status == .accepted)

                try FileManager.default.removeItem(atPath: path)

                // The next write finds the file gone: 503, never 202.
                let after = try await client.webhook(#"{"tx_hash":"file-after","confirmations":3,"amount":"1.0"}"#)
                #expect(after.status == .serviceUnavailable, "\(after.text)")
                // Readiness and health follow within a few monitor probes.
                var ready = try await client.get("/readyz").status
                var health = try await client.get("/api/v1/health").status
                try await Poll.until(every: .milliseconds(200), within: .seconds(60)) {
                    ready = try await client.get("/readyz").status
                    health = try await client.get("/api/v1/health").status
                    return ready == .serviceUnavailable && health == .serviceUnavailable
                }
                #expect(ready == .serviceUnavailable)
                #expect(health == .serviceUnavailable)
                for attempt in 0..<5 {
                    let again = try await client.webhook(#"{"tx_hash":"file-again-\#(attempt)","confirmations":3,"amount":"1.0"}"#)
                    #expect(again.status == .serviceUnavailable)
                }
            }
            #expect(!FileManager.default.fileExists(atPath: path), "a reconnect created a new database")
            service.send(SIGTERM)
            _ = try await service.waitForExit()
        }
    }
}
