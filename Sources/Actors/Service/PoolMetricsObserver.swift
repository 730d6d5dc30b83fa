import Runtime

/// Reports pool statistics as the `db_pool_*` metrics.
struct PoolMetricsObserver: PoolObserver {
    let metrics: ServiceMetrics

    func statisticsChanged(_ statistics: PoolStatistics) {
        self.metrics.recorder.set(self.metrics.poolActive, to: Double(statistics.active))
        self.metrics.recorder.set(self.metrics.poolIdle, to: Double(statistics.idle))
        self.metrics.recorder.set(self.metrics.poolMax, to: Double(statistics.max))
        self.metrics.recorder.set(self.metrics.poolWaiters, to: Double(statistics.waiters))
    }

    func acquired(waited: Duration) {
        self.metrics.recorder.observe(self.metrics.poolAcquire, waited)
    }

    func acquireTimedOut() {
        self.metrics.recorder.increment(self.metrics.poolTimeouts)
    }

    func connectFailed(error: any Error, attempt: Int) {}
}
