import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Runtime

/// The service's router built over scripted fakes and run in-process
/// (`Application.test(.router)`): no listener, no database.
///
/// Webhooks go to ``ingest``, the admin routes read and change ``store``; what the routes
/// log is in ``logs`` and what they count in ``metricsActor`` (running while the test does).
public struct RouterHarness: Sendable {
    public let ingest = ScriptedIngest()
    public let store = ScriptedAdminStore()
    public let health = ServiceHealth()
    public let logs = LogCapture()
    public let metricsActor: MetricsActor
    public let metrics: ServiceMetrics
    /// Admin routes on with ``adminToken``; unsigned webhooks; a 5 s ingest timeout.
    public var configuration = ServiceRouterBuilder.Configuration(adminToken: RouterHarness.adminToken)
    /// Whether the router takes webhooks (false: probes and `/metrics` only, as `worker`).
    public var takesWebhooks = true
    public var hooks = AdminHooks(
        supervisionTree: { SupervisionTreeNode(name: "root", state: "running", restarts: 0) },
        killWorker: { nil }
    )
    public var clock = WallClock.system
    /// The run of the ingress the probes report on. By default one with no committer: it
    /// cannot take webhooks, so `/healthz` and `/readyz` answer 503 "ingest stopped" unless
    /// ``takesWebhooks`` is false (the webhook route itself is served by ``ingest`` either way).
    public var incarnation = IngressIncarnation(committer: nil)

    public static let adminToken = "router-test-admin-token"

    public init(configure: (inout RouterHarness) -> Void = { _ in }) {
        self.metricsActor = MetricsActor(logger: self.logs.logger(label: "metrics"))
        self.metrics = ServiceMetrics(recorder: self.metricsActor.recorder)
        configure(&self)
    }

    /// The builder the ingress would use, over this harness's fakes.
    public var builder: ServiceRouterBuilder {
        ServiceRouterBuilder(
            configuration: self.configuration,
            ingest: self.takesWebhooks ? self.ingest : nil,
            store: self.store,
            health: self.health,
            incarnation: self.incarnation,
            metrics: self.metrics,
            metricsActor: self.metricsActor,
            hooks: self.hooks,
            clock: self.clock,
            logger: self.logs.logger(label: "router")
        )
    }

    /// Builds the router and runs `body` with a client that sends requests straight to it.
    public func test<Value: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let application = Application(
            router: try self.builder.makeRouter(), services: [self.metricsActor], logger: self.logs.logger(label: "application")
        )
        return try await application.test(.router) { client in try await body(client) }
    }
}
