import Logging
import Runtime
import Synchronization

/// Feeds supervisor events into `supervisor_restarts_total{supervisor}` and `workers_alive`,
/// and tells the health state whether the workers run (the `worker` mode's liveness).
struct SupervisorObservation: SupervisorObserver {
    let metrics: ServiceMetrics
    let health: ServiceHealth
    let logger: Logger

    func childStarted(supervisor: String, child: String) {
        if supervisor == "root", child == "workers" { self.health.workersChanged(running: true) }
    }

    func supervisorEscalated(supervisor: String, reason: String) {
        if supervisor == "workers" { self.health.workersChanged(running: false) }
    }

    func childRestarted(supervisor: String, child: String, reason: String, restarts: Int) {
        self.metrics.recorder.increment(self.metrics.restartCounter(supervisor: supervisor))
    }

    func childrenAlive(supervisor: String, count: Int) {
        if supervisor == "workers" {
            self.metrics.recorder.set(self.metrics.workersAlive, to: Double(count))
            self.health.workersCounted(alive: count)
        }
    }
}

/// Wakes workers when a batch queued jobs, and counts batches retried one webhook at a time.
struct IngestObservation: GroupCommitter.Observer {
    let metrics: ServiceMetrics
    let signal: JobSignal
    let wakeCount: Int

    func batchCommitted(size: Int, queued: Int, duration: Duration) {
        if queued > 0 { self.signal.notify(count: min(queued, self.wakeCount)) }
    }

    func batchFailed(size: Int, error: any Error) {}

    func batchRetriedOneByOne(size: Int, refused: Int) {
        self.metrics.recorder.increment(self.metrics.batchesRetried)
    }

    func batchConflictRetried(size: Int, attempt: Int) {
        self.metrics.recorder.increment(self.metrics.batchConflictRetries)
    }
}

/// Lets closures created before the root supervisor reach it once it exists.
final class SupervisorReference: Sendable {
    private let box = Mutex<Supervisor<ContinuousClock>?>(nil)

    var supervisor: Supervisor<ContinuousClock>? { self.box.withLock { $0 } }

    func set(_ supervisor: Supervisor<ContinuousClock>) {
        self.box.withLock { $0 = supervisor }
    }
}
