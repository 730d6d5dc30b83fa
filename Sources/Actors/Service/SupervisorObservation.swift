import Logging
import Runtime

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
