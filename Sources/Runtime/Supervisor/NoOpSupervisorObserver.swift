/// An observer that ignores everything.
public struct NoOpSupervisorObserver: SupervisorObserver {
    public init() {}
}
