import Synchronization

/// The state of one run of the ingress: created when the run starts, dropped when it ends.
///
/// A run that fails (the port still held, the child killed) leaves its incarnation behind
/// stopped or draining; the next run makes a new one, with a new committer, so nothing of a
/// dead run keeps the service answering 503.
public final class IngressIncarnation: Sendable {
    /// This run's group committer; nil when the listener serves only probes (`worker`).
    public let committer: GroupCommitter?
    private let draining = Atomic<Bool>(false)
    private let listening = Atomic<Bool>(false)

    public init(committer: GroupCommitter?) {
        self.committer = committer
    }

    /// Set when this run was asked to stop: its readiness answers 503 from then on.
    public var isDraining: Bool { self.draining.load(ordering: .relaxed) }

    func beginDraining() { self.draining.store(true, ordering: .relaxed) }

    /// Whether this run's listener is bound.
    public var isListening: Bool { self.listening.load(ordering: .relaxed) }

    func listenerBound() { self.listening.store(true, ordering: .relaxed) }

    /// Whether this run can take webhooks: its listener is bound and its committer runs.
    public var canTakeWebhooks: Bool {
        self.isListening && (self.committer?.isRunning ?? false)
    }
}
