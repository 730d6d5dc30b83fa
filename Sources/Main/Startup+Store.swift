import Actors
import Runtime

extension Startup {
    /// Runs `body` against the configured store with its pool running, then closes it.
    func withStore<Result: Sendable>(
        access: StoreAccess = .readWrite,
        _ body: @escaping @Sendable (any DepositStore) async throws -> Result
    ) async throws -> Result {
        let metrics = MetricsActor(logger: self.logger)
        let handle = try StoreHandle.make(
            self.configuration, metrics: ServiceMetrics(recorder: metrics.recorder), clock: .system, faults: NoFaults(), logger: self.logger,
            access: access
        )
        return try await handle.withRunningPool(body)
    }
}
