import Hummingbird
import Runtime

/// Probes and the metrics scrape.
///
/// None of them touches the store: `/api/v1/health` and `/readyz` answer from the store
/// monitor's last probe (stale beyond ``ServiceHealth/probeStaleAfter`` = unhealthy), and
/// `/healthz` from this run of the ingress (or, in `worker` mode, from the workers).
struct HealthRoutes: Sendable {
    let backend: StoreBackend
    let health: ServiceHealth
    let incarnation: IngressIncarnation
    let metrics: MetricsActor
    /// The `worker` mode: no webhooks are taken here by design.
    let probesOnly: Bool

    func register<Context: RequestContext>(on router: Router<Context>) {
        // Lists the webhook route only where this listener serves it (not in `worker` mode).
        let webhookHealth = self.probesOnly
            ? #"{"status":"ok","service":"webhooks","endpoints":[]}"#
            : #"{"status":"ok","service":"webhooks","endpoints":["/api/v1/webhooks/bep20"]}"#
        router.get("/api/v1/webhooks/health") { _, _ in
            JSONBody.response(.ok, webhookHealth)
        }
        router.get("/api/v1/health") { _, _ in
            let now = ContinuousClock.now
            let age = self.health.lastStoreProbe.map { $0.at.duration(to: now).nanoseconds / 1_000_000 }
            let ageField = age.map { #","probe_age_ms":\#($0)"# } ?? ""
            if self.health.isStoreHealthy(now: now) {
                return JSONBody.response(
                    .ok, #"{"status":"ok","store":""# + self.backend.rawValue + #"","draining":\#(self.health.isDraining)"# + ageField + "}"
                )
            }
            return JSONBody.response(
                .serviceUnavailable, #"{"status":"unavailable","store":""# + self.backend.rawValue + #"""# + ageField + "}", headers: [.retryAfter: "1"]
            )
        }
        router.get("/healthz") { _, _ in
            self.liveness()
        }
        router.get("/readyz") { _, _ in
            let reason: String? =
                if self.health.isDraining || self.incarnation.isDraining { "draining" }
                else if !self.health.isStoreHealthy() { "store unreachable" }
                else if !self.probesOnly && !self.incarnation.canTakeWebhooks { "ingest stopped" }
                else { nil }
            guard let reason else { return JSONBody.response(.ok, #"{"status":"ready"}"#) }
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

    /// 200 while the process does its job, else 503 so an orchestrator replaces it: with
    /// webhooks, this run of the ingress must be the current one and its committer running;
    /// in `worker` mode, the workers' supervisor must be running.
    func liveness() -> Response {
        if self.probesOnly {
            let alive = self.health.aliveWorkers
            guard self.health.areWorkersRunning else {
                return JSONBody.response(.serviceUnavailable, #"{"status":"unhealthy","reason":"workers stopped","workers_alive":\#(alive)}"#)
            }
            return JSONBody.response(.ok, #"{"status":"ok","workers_alive":\#(alive)}"#)
        }
        guard self.health.currentIngress === self.incarnation, self.incarnation.canTakeWebhooks else {
            return JSONBody.response(.serviceUnavailable, #"{"status":"unhealthy","reason":"ingest stopped"}"#)
        }
        return JSONBody.response(.ok, #"{"status":"ok"}"#)
    }
}
