import Synchronization

/// Liveness and readiness flags, read by probes without waiting on any actor.
public final class ServiceHealth: Sendable {
    private let draining = Atomic<Bool>(false)
    private let storeReachable = Atomic<Bool>(false)

    public init() {}

    /// Set once shutdown starts: readiness answers 503 from then on.
    public var isDraining: Bool { self.draining.load(ordering: .relaxed) }

    public func beginDraining() { self.draining.store(true, ordering: .relaxed) }

    /// The result of the last store check.
    public var isStoreReachable: Bool { self.storeReachable.load(ordering: .relaxed) }

    public func storeChecked(reachable: Bool) { self.storeReachable.store(reachable, ordering: .relaxed) }

    /// Ready to take traffic: the store answers and shutdown has not begun.
    public var isReady: Bool { !self.isDraining && self.isStoreReachable }
}
