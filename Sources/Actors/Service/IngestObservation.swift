/// Counts batches retried one webhook at a time (`webhook_batch_retried_total`) and
/// batches committed again after a deadlock (`webhook_batch_conflict_retried_total`). It
/// only observes: the workers are woken by
/// the committer's ``GroupCommitter/Configuration/wakeUp`` hook.
struct IngestObservation: GroupCommitter.Observer {
    let metrics: ServiceMetrics

    func batchCommitted(size: Int, queued: Int, duration: Duration) {}

    func batchFailed(size: Int, error: any Error) {}

    func batchRetriedOneByOne(size: Int, refused: Int) {
        self.metrics.recorder.increment(self.metrics.batchesRetried)
    }

    func batchConflictRetried(size: Int, attempt: Int) {
        self.metrics.recorder.increment(self.metrics.batchConflictRetries)
    }
}
