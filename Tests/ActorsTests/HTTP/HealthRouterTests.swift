import Actors
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

/// The probes in-process: each reason `/readyz` and `/healthz` give, and the health body,
/// decided from ``ServiceHealth`` and the ingress run alone (no store call).
@Suite struct HealthRouterTests {
    @Test func theWebhooksProbeListsTheWebhookRoute() async throws {
        try await RouterHarness().test { client in
            let response = try await client.execute(uri: "/api/v1/webhooks/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"ok","service":"webhooks","endpoints":["/api/v1/webhooks/bep20"]}"#)
        }
    }

    @Test func inWorkerModeTheWebhooksProbeListsNoRoute() async throws {
        try await RouterHarness { $0.takesWebhooks = false }.test { client in
            let response = try await client.execute(uri: "/api/v1/webhooks/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"ok","service":"webhooks","endpoints":[]}"#)
            #expect(try await client.execute(uri: "/api/v1/webhooks/bep20", method: .post).status == .notFound)
        }
    }

    @Test func theHealthRouteAnswersFromTheLastProbeAndItsAge() async throws {
        let harness = RouterHarness()
        try await harness.test { client in
            let unprobed = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(unprobed.status == .serviceUnavailable)
            #expect(unprobed.headers[.retryAfter] == "1")
            #expect(unprobed.text == #"{"status":"unavailable","store":"sqlite"}"#)

            harness.health.storeChecked(reachable: true)
            let healthy = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(healthy.status == .ok)
            #expect(Set(healthy.json.keys) == ["status", "store", "draining", "probe_age_ms"])
            #expect(healthy.json["status"] as? String == "ok")
            #expect(healthy.json["draining"] as? Bool == false)

            harness.health.storeChecked(reachable: true, at: .now - harness.health.probeStaleAfter - .seconds(1))
            let stale = try await client.execute(uri: "/api/v1/health", method: .get)
            #expect(stale.status == .serviceUnavailable)
            #expect(stale.json["status"] as? String == "unavailable")
            #expect((stale.json["probe_age_ms"] as? Int ?? 0) > 15_000)
        }
    }

    @Test func readinessNamesWhyItIsNotReady() async throws {
        let harness = RouterHarness { $0.takesWebhooks = false }
        try await harness.test { client in
            let unprobed = try await client.execute(uri: "/readyz", method: .get)
            #expect(unprobed.status == .serviceUnavailable)
            #expect(unprobed.text == #"{"status":"not ready","reason":"store unreachable"}"#)

            harness.health.storeChecked(reachable: true)
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.text == #"{"status":"ready"}"#)

            harness.health.beginDraining()
            let draining = try await client.execute(uri: "/readyz", method: .get)
            #expect(draining.status == .serviceUnavailable)
            #expect(draining.json["reason"] as? String == "draining")
        }
    }

    @Test func aRunWhoseIngestIsNotRunningIsNeitherReadyNorLive() async throws {
        let harness = RouterHarness()
        harness.health.storeChecked(reachable: true)
        harness.health.ingressStarted(harness.incarnation)
        try await harness.test { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.json["reason"] as? String == "ingest stopped")
            let live = try await client.execute(uri: "/healthz", method: .get)
            #expect(live.status == .serviceUnavailable)
            #expect(live.text == #"{"status":"unhealthy","reason":"ingest stopped"}"#)
        }
    }

    @Test func inWorkerModeLivenessFollowsTheWorkersSupervisor() async throws {
        let harness = RouterHarness { $0.takesWebhooks = false }
        try await harness.test { client in
            let stopped = try await client.execute(uri: "/healthz", method: .get)
            #expect(stopped.status == .serviceUnavailable)
            #expect(stopped.text == #"{"status":"unhealthy","reason":"workers stopped","workers_alive":0}"#)

            harness.health.workersChanged(running: true)
            harness.health.workersCounted(alive: 3)
            let running = try await client.execute(uri: "/healthz", method: .get)
            #expect(running.status == .ok)
            #expect(running.text == #"{"status":"ok","workers_alive":3}"#)
        }
    }

    @Test func theProbesNeverCallTheStore() async throws {
        let harness = RouterHarness { $0.takesWebhooks = false }
        harness.store.setUnavailable(true)
        harness.health.storeChecked(reachable: true)
        try await harness.test { client async throws in
            for uri in ["/api/v1/health", "/readyz", "/api/v1/webhooks/health"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .ok, "\(uri)")
            }
        }
    }
}
