import Synchronization

/// What the probes report, read without waiting on any actor or the store.
///
/// Process-wide facts live here: the last store probe (written by the store monitor every
/// few seconds, and by each run of the ingress as it starts), whether the process is
/// draining, whether the deposit workers run, and which run of the ingress is current. Facts of one run of the ingress (its committer, its
/// own draining) live in that run's ``IngressIncarnation``, created by the run: a restarted
/// ingress starts from fresh state instead of inheriting a stopped one.
public final class ServiceHealth: Sendable {
    /// The outcome of one store check.
    public struct StoreProbe: Sendable {
        public var reachable: Bool
        public var at: ContinuousClock.Instant
    }

    private let draining = Atomic<Bool>(false)
    private let probe = Mutex<StoreProbe?>(nil)
    private let incarnation = Mutex<IngressIncarnation?>(nil)
    private let workersRunning = Atomic<Bool>(false)
    private let workersAlive = Atomic<Int>(0)
    /// A probe older than this no longer counts: the store is reported unhealthy.
    public let probeStaleAfter: Duration

    /// - Parameter probeStaleAfter: Age beyond which the last store probe is ignored (a few
    ///   monitor intervals). Default 15 s.
    public init(probeStaleAfter: Duration = .seconds(15)) {
        self.probeStaleAfter = probeStaleAfter
    }

    // MARK: Draining

    /// Whether the process, or the current run of the ingress, is shutting down.
    public var isDraining: Bool {
        self.draining.load(ordering: .relaxed) || (self.currentIngress?.isDraining ?? false)
    }

    /// Marks the whole process as draining: readiness answers 503 from then on.
    public func beginDraining() { self.draining.store(true, ordering: .relaxed) }

    // MARK: Store

    /// The last store probe, if any.
    public var lastStoreProbe: StoreProbe? { self.probe.withLock { $0 } }

    /// The result of the last store check (stale or not).
    public var isStoreReachable: Bool { self.lastStoreProbe?.reachable ?? false }

    public func storeChecked(reachable: Bool, at instant: ContinuousClock.Instant = .now) {
        self.probe.withLock { $0 = StoreProbe(reachable: reachable, at: instant) }
    }

    /// The store answered its last probe, and that probe is no older than ``probeStaleAfter``.
    public func isStoreHealthy(now: ContinuousClock.Instant = .now) -> Bool {
        guard let probe = self.lastStoreProbe else { return false }
        return probe.reachable && probe.at.duration(to: now) <= self.probeStaleAfter
    }

    /// The process-wide part of readiness: the store answers and shutdown has not begun.
    /// (`/readyz` also requires the current run of the ingress to take webhooks.)
    public var isReady: Bool { !self.isDraining && self.isStoreHealthy() }

    // MARK: Ingress

    /// The run of the ingress that serves now, if one does.
    public var currentIngress: IngressIncarnation? { self.incarnation.withLock { $0 } }

    /// A run of the ingress started: it is the current one from now on.
    public func ingressStarted(_ incarnation: IngressIncarnation) {
        self.incarnation.withLock { $0 = incarnation }
    }

    /// A run of the ingress ended; forgets it unless a newer run replaced it already.
    public func ingressEnded(_ incarnation: IngressIncarnation) {
        self.incarnation.withLock { current in
            if current === incarnation { current = nil }
        }
    }

    // MARK: Workers

    /// Whether the workers' supervisor runs (it has not given up).
    public var areWorkersRunning: Bool { self.workersRunning.load(ordering: .relaxed) }

    /// Workers alive at the last count.
    public var aliveWorkers: Int { self.workersAlive.load(ordering: .relaxed) }

    public func workersChanged(running: Bool) { self.workersRunning.store(running, ordering: .relaxed) }

    public func workersCounted(alive: Int) { self.workersAlive.store(alive, ordering: .relaxed) }
}
