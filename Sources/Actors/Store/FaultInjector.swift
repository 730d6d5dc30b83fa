/// Decides whether to fail at a fault point. Production uses ``NoFaults``.
public protocol FaultInjector: Sendable {
    /// Throws to simulate a failure at `point`; may also suspend to simulate a stall.
    func check(_ point: FaultPoint) async throws
}
