import Runtime

extension GroupCommitter {
    public struct Configuration: Sendable {
        /// Records per transaction at most. Default 256.
        public var maximumBatchSize: Int
        /// Transactions in flight at once. Default 2 (PostgreSQL overlaps one batch's
        /// commit with the next one's upsert; SQLite serialises them anyway).
        public var maximumConcurrentBatches: Int
        /// Confirmations at which a deposit is queued for crediting. Default 12.
        public var confirmationThreshold: Int64
        /// Transactions in flight at once while a batch the store refused for its data is
        /// committed again record by record. Default 4.
        public var maximumConcurrentRetries: Int
        /// Webhooks waiting for a batch at most (`INGEST_QUEUE_LIMIT`); beyond it a submission
        /// fails at once with ``QueueFull``. Default 4,096.
        public var maximumPending: Int
        /// Times a batch that met a deadlock or serialization failure (SQLSTATE 40P01, 40001)
        /// is committed again before its webhooks fail. Default 3.
        public var conflictRetries: Int
        /// Delay before each such retry. Default 5 ms doubling to 100 ms, ±20 % jitter:
        ///
        /// | retry | delay          |
        /// |------:|----------------|
        /// |     1 | 4 ms – 6 ms    |
        /// |     2 | 8 ms – 12 ms   |
        /// |     3 | 16 ms – 24 ms  |
        public var conflictBackoff: Backoff
        /// Called after each committed transaction that queued deposits for crediting, with
        /// how many it queued (records that became ready in it; not pending ones, not repeats
        /// of stored transfers). Default: nothing. The service wakes its workers with it.
        public var wakeUp: WorkerWakeUp

        public init(
            maximumBatchSize: Int = 256, maximumConcurrentBatches: Int = 2, confirmationThreshold: Int64 = 12, maximumConcurrentRetries: Int = 4,
            maximumPending: Int = 4096, conflictRetries: Int = 3, conflictBackoff: Backoff = Backoff(minimum: .milliseconds(5), maximum: .milliseconds(100)),
            wakeUp: WorkerWakeUp = .none
        ) {
            precondition(maximumBatchSize > 0 && maximumConcurrentBatches > 0 && maximumConcurrentRetries > 0)
            precondition(maximumPending > 0 && conflictRetries >= 0)
            self.maximumBatchSize = maximumBatchSize
            self.maximumConcurrentBatches = maximumConcurrentBatches
            self.confirmationThreshold = confirmationThreshold
            self.maximumConcurrentRetries = maximumConcurrentRetries
            self.maximumPending = maximumPending
            self.conflictRetries = conflictRetries
            self.conflictBackoff = conflictBackoff
            self.wakeUp = wakeUp
        }
    }
}
