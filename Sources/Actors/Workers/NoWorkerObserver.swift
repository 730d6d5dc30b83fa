/// Hears nothing.
public struct NoWorkerObserver: WorkerObserver {
    public init() {}
}
