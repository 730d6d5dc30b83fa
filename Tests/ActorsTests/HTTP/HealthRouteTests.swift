import Actors
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(2))) struct HealthRouteTests {
    @Test(arguments: TestBackend.available)
    func probesAnswerAsTheContractSays(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    let webhooks = try await client.get("/api/v1/webhooks/health")
                    #expect(webhooks.status == .ok)
                    #expect(webhooks.json["status"] as? String == "ok")
                    #expect(webhooks.json["service"] as? String == "webhooks")
                    #expect(webhooks.json["endpoints"] as? [String] == ["/api/v1/webhooks/bep20"])
                    let health = try await client.get("/api/v1/health")
                    #expect(health.status == .ok)
                    #expect(health.json["status"] as? String == "ok")
                    #expect(try await client.get("/healthz").status == .ok)
                    #expect(try await client.get("/readyz").status == .ok)

                    running.service.health.beginDraining()
                    let draining = try await client.get("/readyz")
                    #expect(draining.status == .serviceUnavailable)
                    #expect(draining.json["reason"] as? String == "draining")
                    #expect(try await client.get("/healthz").status == .ok)
                }
            }
        }
    }

    @Test func metricsAreExposedWithRouteTemplatesNotRawPaths() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    _ = try await client.webhook(#"{"tx_hash":"m1","amount":"1"}"#)
                    _ = try await client.admin(.get, "/api/v1/transactions/\(UUID().uuidString)")
                    _ = try await client.get("/no/such/route")
                    await running.service.metricsActor.flush()
                    let response = try await client.get("/metrics")
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                    let text = response.text
                    for name in [
                        "http_requests_total", "http_request_duration_seconds_bucket", "webhook_processing_duration_seconds_bucket",
                        "webhook_enqueue_failed_total", "deposit_queue_depth", "deposit_task_duration_seconds_bucket",
                        "deposit_task_failed_total", "deposits_total", "db_pool_connections_active", "db_pool_connections_idle",
                        "db_pool_connections_max", "db_pool_waiters", "db_pool_timeouts_total", "supervisor_restarts_total",
                        "workers_alive", "deposits_in_state", "deposit_queue_oldest_age_seconds",
                    ] {
                        #expect(text.contains("\n\(name)") || text.hasPrefix(name), "\(name) missing from /metrics")
                    }
                    #expect(text.contains(#"path="/api/v1/webhooks/bep20""#))
                    #expect(text.contains(#"path="/api/v1/transactions/{tx_id}""#) || text.contains(#"path="/api/v1/transactions/:tx_id""#))
                    #expect(!text.contains("/no/such/route"))
                    #expect(text.contains(#"path="unmatched""#))
                }
            }
        }
    }
}
