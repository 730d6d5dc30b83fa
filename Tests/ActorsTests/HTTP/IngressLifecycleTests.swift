import Actors
import Foundation
import HummingbirdTesting
import Runtime
import TestSupport
import Testing

/// The ingress over a scripted store: a restarted run serves again, the queue bound answers
/// 503 at once, and the health route answers without touching the store.
@Suite(.serialized, .timeLimit(.minutes(2))) struct IngressLifecycleTests {
    static func webhook(_ hash: String) -> String { #"{"tx_hash":"\#(hash)","amount":"1","confirmations":12}"# }

    @Test func aKilledIngressComesBackReadyAndTakesWebhooks() async throws {
        let store = ScriptedIngestStore()
        try await withRunningIngress(store: store) { running in
            let before = try await running.withClient { try await $0.webhook(Self.webhook("before")) }
            #expect(before.status == .accepted)
            let firstRun = try #require(running.health.currentIngress)

            let events = running.supervisor.events()
            #expect(await running.supervisor.kill("ingress"))
            try await withDeadline(.seconds(30), "the ingress's restart") {
                for await event in events {
                    if case .childStarted(child: "ingress", _) = event { return }
                }
            }
            _ = await running.ingress.port()
            let secondRun = try #require(running.health.currentIngress)
            #expect(secondRun !== firstRun)
            #expect(!(firstRun.committer?.isRunning ?? true), "the killed run's committer stopped")

            try await running.withClient { client in
                #expect(try await client.get("/healthz").status == .ok)
                let ready = try await client.get("/readyz")
                #expect(ready.status == .ok, "readyz after restart: \(ready.text)")
                let after = try await client.webhook(Self.webhook("after"))
                #expect(after.status == .accepted, "webhook after restart: \(after.text)")
            }
            #expect(store.storedTxHashes == ["before", "after"])
        }
    }

    @Test func aWebhookBeyondTheQueueBoundGets503WithRetryAfterAtOnce() async throws {
        let store = ScriptedIngestStore()
        store.stallIngest()
        try await withRunningIngress(store: store, configure: { $0.ingestQueueLimit = 2 }) { running in
            let committer = try #require(running.committer)
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await running.withClient { Int(try await $0.webhook(Self.webhook("in-flight")).status.code) } }
                await store.waitUntilStalled()
                for hash in ["queued-1", "queued-2"] {
                    group.addTask { try await running.withClient { Int(try await $0.webhook(Self.webhook(hash)).status.code) } }
                }
                await committer.waitUntilPending(atLeast: 2)

                let refused = try await running.withClient { try await $0.webhook(Self.webhook("refused")) }
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers[.retryAfter] == "1")
                #expect((refused.json["error"] as? String)?.contains("queue is full") == true, "\(refused.text)")

                store.releaseStall()
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses == [202, 202, 202])
            }
            await running.metricsActor.flush()
            #expect(await running.metricsActor.counterValue(running.metrics.ingestRejectedQueueFull) == 1)
            #expect(await running.metricsActor.counterValue(running.metrics.enqueueFailed) == 0)
            #expect(store.storedTxHashes == ["in-flight", "queued-1", "queued-2"])
        }
    }

    @Test func theHealthRouteAnswersFromTheMonitorsLastProbe() async throws {
        let store = ScriptedIngestStore()
        // The ingress probes the store once as it starts; no monitor runs, so any later
        // store call would come from a route.
        try await withRunningIngress(store: store) { running in
            try await running.withClient { client in
                let first = try await client.get("/api/v1/health")
                #expect(first.status == .ok, "\(first.text)")
                let before = store.calls
                for _ in 0..<50 {
                    #expect(try await client.get("/api/v1/health").status == .ok)
                    #expect(try await client.get("/readyz").status == .ok)
                }
                #expect(store.calls == before, "store calls caused by 100 probes: \(before) -> \(store.calls)")
            }
            // The monitor's verdict is what the route reports: an unreachable store is 503.
            running.health.storeChecked(reachable: false)
            let down = try await running.withClient { try await $0.get("/api/v1/health") }
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers[.retryAfter] == "1")
        }
    }

    @Test func aStaleProbeIsUnhealthy() {
        let health = ServiceHealth(probeStaleAfter: .seconds(15))
        let probed = ContinuousClock.now
        #expect(!health.isStoreHealthy(now: probed))
        health.storeChecked(reachable: true, at: probed)
        #expect(health.isStoreHealthy(now: probed.advanced(by: .seconds(15))))
        #expect(!health.isStoreHealthy(now: probed.advanced(by: .seconds(16))))
    }
}
