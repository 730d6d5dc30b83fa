/// Never fails.
public struct NoFaults: FaultInjector {
    public init() {}

    @inlinable
    public func check(_ point: FaultPoint) async throws {}
}
