/// A ``PoolObserver`` that ignores everything.
public struct NoOpPoolObserver: PoolObserver {
    public init() {}
}
