import Hummingbird
import Runtime

/// Probes and the metrics scrape.
struct HealthRoutes: Sendable {
    let store: any DepositStore
    let health: ServiceHealth
    let metrics: MetricsActor

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/v1/webhooks/health") { _, _ in
            JSONBody.response(.ok, #"{"status":"ok","service":"webhooks","endpoints":["/api/v1/webhooks/bep20"]}"#)
        }
        router.get("/api/v1/health") { _, _ in
            do {
                try await self.store.ping()
                self.health.storeChecked(reachable: true)
                return JSONBody.response(.ok, #"{"status":"ok","store":""# + self.store.backend.rawValue + #"","draining":\#(self.health.isDraining)}"#)
            } catch {
                self.health.storeChecked(reachable: false)
                return JSONBody.response(.serviceUnavailable, #"{"status":"unavailable","store":""# + self.store.backend.rawValue + #""}"#, headers: [.retryAfter: "1"])
            }
        }
        router.get("/healthz") { _, _ in
            JSONBody.response(.ok, #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, _ in
            if self.health.isReady {
                return JSONBody.response(.ok, #"{"status":"ready"}"#)
            }
            let reason = self.health.isDraining ? "draining" : "store unreachable"
            return JSONBody.response(.serviceUnavailable, #"{"status":"not ready","reason":""# + reason + #""}"#)
        }
        router.get("/metrics") { _, _ in
            let text = await self.metrics.exposition()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text))
            )
        }
    }
}
