import Actors
import Foundation
import HummingbirdTesting
import Logging
import Runtime

/// An ingress (listener and committer) running in-process on a loopback port over any store,
/// under a supervisor of its own, with a metrics actor and, optionally, a store monitor.
public struct RunningIngress: Sendable {
    public let ingress: IngressActor
    public let supervisor: Supervisor<ContinuousClock>
    public let health: ServiceHealth
    public let metrics: ServiceMetrics
    public let metricsActor: MetricsActor
    public let port: Int

    /// Runs `body` with an HTTP/1.1 client connected to the ingress's current port.
    public func withClient<Value: Sendable>(_ body: @escaping @Sendable (TestClient) async throws -> Value) async throws -> Value {
        try await TestClient.withClient(host: "127.0.0.1", port: await self.ingress.port(), operation: body)
    }

    /// The committer of the ingress's current run.
    public var committer: GroupCommitter? { self.health.currentIngress?.committer }
}

/// Starts an ingress on `store` (loopback, a free port, unsigned webhooks), runs `body`,
/// then stops it in order and waits for it to stop.
///
/// - Parameter monitorInterval: Runs a ``StoreMonitor`` with this interval when set.
public func withRunningIngress<Value: Sendable>(
    store: any DepositStore,
    committer: GroupCommitter.Configuration = .init(maximumConcurrentBatches: 1),
    monitorInterval: Duration? = nil,
    configure: (inout IngressActor.Configuration) -> Void = { _ in },
    _ body: @escaping @Sendable (RunningIngress) async throws -> Value
) async throws -> Value {
    var configuration = IngressActor.Configuration(host: "127.0.0.1", port: 0, ingestTimeout: .seconds(60))
    configure(&configuration)
    let logger = testLogger("ingress")
    let metricsActor = MetricsActor(logger: logger)
    let metrics = ServiceMetrics(recorder: metricsActor.recorder)
    // No monitor runs here: the ingress's probe at start is the last one, however long a busy
    // machine makes the test (staleness has its own test, on given instants).
    let health = ServiceHealth(probeStaleAfter: .seconds(24 * 3600))
    let ingress = IngressActor(
        configuration: configuration, store: store, committer: committer, metrics: metrics, metricsActor: metricsActor, health: health,
        hooks: AdminHooks(
            supervisionTree: { SupervisionTreeNode(name: "root", state: "running", restarts: 0) },
            killWorker: { nil }
        ),
        logger: logger
    )
    var children = [
        ChildSpec(name: "metrics", shutdownTimeout: .seconds(1)) { context in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await metricsActor.run() }
                await context.shutdownRequested()
                group.cancelAll()
            }
        },
    ]
    if let monitorInterval {
        children.append(ChildSpec(name: "monitor", shutdownTimeout: .seconds(1)) { context in
            await StoreMonitor(configuration: .init(interval: monitorInterval), store: store, metrics: metrics, health: health, logger: logger)
                .run(context: context, clock: ContinuousClock())
        })
    }
    children.append(ChildSpec(name: "ingress", shutdownTimeout: .seconds(5)) { context in
        try await ingress.run(context: context)
    })
    let supervisor = Supervisor(
        name: "root", configuration: .init(maxRestarts: 1000, restartWindow: .seconds(1)), children: children, clock: ContinuousClock(), logger: logger
    )
    return try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask {
            try await supervisor.run()
            return nil
        }
        let port = await ingress.port()
        do {
            let value = try await body(
                RunningIngress(ingress: ingress, supervisor: supervisor, health: health, metrics: metrics, metricsActor: metricsActor, port: port)
            )
            await supervisor.shutdown()
            try await group.waitForAll()
            return value
        } catch {
            await supervisor.shutdown()
            group.cancelAll()
            throw error
        }
    }
}
