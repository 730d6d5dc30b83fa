import Foundation
import Logging
import Runtime
import Synchronization

/// Claims deposit jobs in batches (up to ``Configuration/batchSize``) and settles each batch
/// in one store transaction, falling back to one job per transaction when a batch fails.
///
/// On a ``ClaimSettlingStore`` (PostgreSQL) the claim and the settlement are one transaction:
/// row locks instead of leases, one commit per batch. When such a batch fails for its
/// deposits, the next round takes the lease path (claim with a lease, settle the batch, then
/// job by job), so only a deposit that fails by itself is charged an attempt.
///
/// A worker is an actor supervised by the worker supervisor. It may be killed at any
/// instant: its transaction then rolls back, and its lease is released when the
/// supervisor starts it again (or expires, if the whole process died).
public actor DepositWorker {
    public struct Configuration: Sendable {
        /// How long a claim stays valid. Default 15 s.
        public var lease: Duration
        /// Failures before a deposit is parked as `dead`. Default 5.
        public var maximumAttempts: Int
        /// Delay before retrying a failed job (by failure count). Default 1 s … 5 min.
        public var retryBackoff: Backoff
        /// Delay before the next store call after the store could not be reached (a claim, a
        /// lease release, or a settlement it could not serve), by consecutive failures.
        /// Default 100 ms … 5 s.
        public var storeBackoff: Backoff
        /// Longest an idle worker sleeps without a wake-up before looking again. Default 2 s.
        public var pollInterval: Duration
        /// Jobs claimed and settled together in one transaction, at most. Default 32.
        public var batchSize: Int
        /// The claim limit after a claim came back full (a backlog): larger batches spread
        /// each transaction's fixed cost, and the wallet-row wait of a hot wallet, over more
        /// deposits. Back to ``batchSize`` once a claim comes back short. Default 128.
        public var backlogBatchSize: Int

        public init(
            lease: Duration = .seconds(15),
            maximumAttempts: Int = 5,
            retryBackoff: Backoff = Backoff(minimum: .seconds(1), maximum: .seconds(300)),
            storeBackoff: Backoff = Backoff(minimum: .milliseconds(100), maximum: .seconds(5)),
            pollInterval: Duration = .seconds(2),
            batchSize: Int = 32,
            backlogBatchSize: Int = 128
        ) {
            self.batchSize = max(1, batchSize)
            self.backlogBatchSize = max(self.batchSize, backlogBatchSize)
            self.lease = lease
            self.maximumAttempts = maximumAttempts
            self.retryBackoff = retryBackoff
            self.storeBackoff = storeBackoff
            self.pollInterval = pollInterval
        }
    }

    public nonisolated let name: String
    /// The lease owner written into claimed jobs: unique to this process and worker slot.
    public nonisolated let owner: String
    private let configuration: Configuration
    private let store: any DepositStore
    /// The same store when it claims and settles in one transaction.
    private let settling: (any ClaimSettlingStore)?
    private let signal: JobSignal
    private let metrics: ServiceMetrics
    private let faults: any FaultInjector
    private let observer: any WorkerObserver
    private let logger: Logger

    public init(
        name: String,
        instance: String,
        configuration: Configuration,
        store: any DepositStore,
        signal: JobSignal,
        metrics: ServiceMetrics,
        faults: any FaultInjector = NoFaults(),
        observer: any WorkerObserver = NoWorkerObserver(),
        logger: Logger
    ) {
        self.observer = observer
        self.name = name
        self.owner = "\(instance)/\(name)"
        self.configuration = configuration
        self.store = store
        self.settling = store as? any ClaimSettlingStore
        self.signal = signal
        self.metrics = metrics
        self.faults = faults
        self.logger = logger
    }

    /// Works until the supervisor asks it to stop: it finishes the batch in hand first, and
    /// an idle worker stops at once. Starts by releasing the leases a previous incarnation
    /// of this slot may have died holding.
    public func run<C: Clock>(context: ChildContext, clock: C) async throws where C.Duration == Duration {
        // A previous incarnation of this slot may have died holding leases: free them now
        // rather than wait for them to expire.
        var storeFailures = 0
        while !context.isShutdownRequested {
            do {
                let released = try await self.store.releaseLeases(ownedBy: self.owner)
                if released > 0 {
                    self.logger.info("worker_leases_released", metadata: ["worker": "\(self.name)", "jobs": "\(released)"])
                    self.signal.notify(count: released)
                }
                break
            } catch {
                storeFailures += 1
                try await self.pause(after: error, failures: storeFailures, clock: clock)
            }
        }
        storeFailures = 0
        var limit = self.configuration.batchSize
        // After a one-transaction settlement failed for its deposits, the next round takes
        // the lease path, which settles job by job and charges only the failing deposit.
        var leasePath = false
        while !context.isShutdownRequested {
            try Task.checkCancellation()
            if let settling = self.settling, !leasePath {
                switch try await self.claimAndSettle(on: settling, limit: limit) {
                case .settled(let claimed):
                    storeFailures = 0
                    let full = claimed >= limit
                    limit = full ? self.configuration.backlogBatchSize : self.configuration.batchSize
                    // Nothing due, or every due job taken: wait for a wake-up (a permit is
                    // waiting if jobs were queued meanwhile) or the poll.
                    if !full { await self.idle(context: context, clock: clock) }
                case .storeUnavailable(let error):
                    storeFailures += 1
                    try await self.pause(after: error, failures: storeFailures, clock: clock)
                case .failed:
                    storeFailures = 0
                    leasePath = true
                }
                continue
            }
            leasePath = false
            let jobs: [ClaimedJob]
            let full: Bool
            do {
                jobs = try await self.store.claimJobs(owner: self.owner, lease: self.configuration.lease, limit: limit)
                full = jobs.count >= limit
                limit = full ? self.configuration.backlogBatchSize : self.configuration.batchSize
                storeFailures = 0
            } catch {
                storeFailures += 1
                try await self.pause(after: error, failures: storeFailures, clock: clock)
                continue
            }
            let storeError: (any Error)?
            switch jobs.count {
            case 0:
                await self.idle(context: context, clock: clock)
                storeError = nil
            case 1: storeError = try await self.process(jobs[0])
            default: storeError = try await self.process(batch: jobs)
            }
            if let storeError {
                // The store, not the deposit, failed: the jobs go back uncharged and this
                // worker backs off like any other caller of an unreachable store.
                await self.deferJobs(jobs, error: storeError)
                storeFailures += 1
                try await self.pause(after: storeError, failures: storeFailures, clock: clock)
            } else if !jobs.isEmpty && !full {
                // The claim took every due job there was: claiming again at once would find
                // none. Jobs queued since then left a wake-up on the signal (a permit when
                // no worker was waiting), so this wait ends at once if there are any.
                await self.idle(context: context, clock: clock)
            }
        }
    }

    /// How a one-transaction claim and settlement ended.
    private enum Round {
        /// Committed (or nothing was due): `claimed` jobs.
        case settled(claimed: Int)
        /// The store could not serve it: nothing was claimed or charged.
        case storeUnavailable(any Error)
        /// It failed for its deposits: rolled back, nothing charged.
        case failed
    }

    /// Claims up to `limit` due jobs and settles them in one transaction of `store`. A
    /// failure rolls everything back: the jobs are due again at once and nothing is charged.
    private func claimAndSettle(on store: any ClaimSettlingStore, limit: Int) async throws -> Round {
        let started = ContinuousClock.now
        let claimed = Mutex<[ClaimedJob]>([])
        let batch: SettledBatch
        do {
            batch = try await store.claimAndSettle(owner: self.owner, limit: limit) { jobs in
                claimed.withLock { $0 = jobs }
                self.logStarted(jobs)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            let jobs = claimed.withLock { $0 }
            if Self.isStoreUnavailable(error) {
                if !jobs.isEmpty { self.logDeferred(jobs, error: error, lease: "none held") }
                return .storeUnavailable(error)
            }
            self.logger.warning("deposit_batch_failed", metadata: ["worker": "\(self.name)", "jobs": "\(jobs.count)", "error": "\(error)"])
            return .failed
        }
        guard !batch.jobs.isEmpty else { return .settled(claimed: 0) }
        do {
            try await self.faults.check(.afterCommit)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Committed: each job is gone, so each is reported failed and `failJob` finds
            // nothing to retry (as on the lease path).
            for job in batch.jobs { try await self.failed(job, error: error) }
            return .settled(claimed: batch.jobs.count)
        }
        let duration = started.duration(to: .now)
        for job in batch.jobs {
            self.completed(job, outcome: batch.outcomes[job.txID] ?? .leaseLost, duration: duration)
        }
        return .settled(claimed: batch.jobs.count)
    }

    /// Logs `deposit_task_started` for each claimed job.
    private nonisolated func logStarted(_ jobs: [ClaimedJob]) {
        for job in jobs {
            self.logger.info("deposit_task_started", metadata: [
                "tx_id": "\(job.txID.apiString)", "worker": "\(self.name)", "attempt": "\(job.failedAttempts + 1)", "batch": "\(jobs.count)",
            ])
        }
    }

    /// Logs `deposit_task_deferred` for each job given back uncharged.
    private nonisolated func logDeferred(_ jobs: [ClaimedJob], error: any Error, lease: String) {
        self.metrics.recorder.increment(self.metrics.taskDeferred)
        for job in jobs {
            self.logger.warning("deposit_task_deferred", metadata: [
                "tx_id": "\(job.txID.apiString)", "worker": "\(self.name)", "error": "\(error)", "lease": "\(lease)",
            ])
        }
    }

    /// Whether `error` says the store could not serve the request (connection lost, pool
    /// timeout, failover, deadlock) rather than that the deposit itself failed. Only the
    /// latter is charged an attempt toward ``Configuration/maximumAttempts``.
    static func isStoreUnavailable(_ error: any Error) -> Bool {
        StoreFailureKind(error) == .unavailable
    }

    /// Gives `jobs` back without charging an attempt: their leases are released so any
    /// worker can claim them once the store answers. If the store cannot be reached to
    /// release them, the leases expire on their own — still without a charge.
    private func deferJobs(_ jobs: [ClaimedJob], error: any Error) async {
        let released = (try? await self.store.releaseLeases(ownedBy: self.owner)) ?? 0
        self.logDeferred(jobs, error: error, lease: released > 0 ? "released" : "left to expire")
        if released > 0 { self.signal.notify(count: released) }
    }

    /// Settles several jobs in one transaction. If that fails, settles each alone, so
    /// only a deposit that fails by itself is charged an attempt.
    ///
    /// - Returns: the error when the store was unavailable (nothing charged; the caller
    ///   defers the jobs), else nil.
    private func process(batch jobs: [ClaimedJob]) async throws -> (any Error)? {
        let started = ContinuousClock.now
        self.logStarted(jobs)
        let outcomes: [UUID: JobOutcome]
        do {
            try await self.faults.check(.afterClaim)
            outcomes = try await self.store.processJobs(jobs)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            if Self.isStoreUnavailable(error) { return error }
            self.logger.warning("deposit_batch_failed", metadata: ["worker": "\(self.name)", "jobs": "\(jobs.count)", "error": "\(error)"])
            for job in jobs {
                if let storeError = try await self.process(job) { return storeError }
            }
            return nil
        }
        do {
            try await self.faults.check(.afterCommit)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The batch is committed and its jobs are gone: as for a single job, each is
            // reported failed and `failJob` finds nothing left to retry.
            for job in jobs { try await self.failed(job, error: error) }
            return nil
        }
        let duration = started.duration(to: .now)
        for job in jobs {
            self.completed(job, outcome: outcomes[job.txID] ?? .leaseLost, duration: duration)
        }
        return nil
    }

    private func completed(_ job: ClaimedJob, outcome: JobOutcome, duration: Duration) {
        self.metrics.recorder.observe(self.metrics.taskDuration, duration)
        self.metrics.recordOutcome(outcome.rawValue)
        self.observer.jobProcessed(txID: job.txID, outcome: outcome, worker: self.name)
        self.logger.info("deposit_task_completed", metadata: [
            "tx_id": "\(job.txID.apiString)", "worker": "\(self.name)", "outcome": "\(outcome.rawValue)",
            "duration_s": "\(duration.seconds)",
        ])
    }

    /// Settles one job. - Returns: the error when the store was unavailable, else nil.
    private func process(_ job: ClaimedJob) async throws -> (any Error)? {
        let started = ContinuousClock.now
        self.logger.info("deposit_task_started", metadata: ["tx_id": "\(job.txID.apiString)", "worker": "\(self.name)", "attempt": "\(job.failedAttempts + 1)"])
        do {
            try await self.faults.check(.afterClaim)
            let outcome = try await self.store.processJob(job)
            try await self.faults.check(.afterCommit)
            self.completed(job, outcome: outcome, duration: started.duration(to: .now))
            return nil
        } catch is CancellationError {
            // Killed mid-job (or cancelled at the shutdown timeout): the transaction rolled
            // back; the lease is released by the next incarnation or expires.
            throw CancellationError()
        } catch {
            try Task.checkCancellation()
            if Self.isStoreUnavailable(error) { return error }
            try await self.failed(job, error: error)
            return nil
        }
    }

    /// Charges a failed attempt to `job`: retried after a backoff, or parked as dead after
    /// the last attempt. A job already gone (settled by a commit that failed afterwards, or
    /// taken over after its lease ran out) is left alone.
    private func failed(_ job: ClaimedJob, error: any Error) async throws {
        try Task.checkCancellation()
        self.metrics.recorder.increment(self.metrics.taskFailed)
        let attempt = job.failedAttempts + 1
        let delay = self.configuration.retryBackoff.delay(attempt: attempt)
        let state = try? await self.store.failJob(
            job, reason: "\(error)", retryAfter: delay, maxAttempts: self.configuration.maximumAttempts
        )
        self.logger.error("deposit_task_failed", metadata: [
            "tx_id": "\(job.txID.apiString)", "worker": "\(self.name)", "attempt": "\(attempt)", "error": "\(error)",
            "next": "\(state.map { $0 == .dead ? "dead" : "retry in \(delay.seconds) s" } ?? "lease lost or store unreachable")",
        ])
        if state == .dead { self.metrics.recordOutcome(DepositState.dead.rawValue) }
        self.observer.jobFailed(txID: job.txID, state: state, worker: self.name)
    }

    /// Waits, after a claim found nothing, for a wake-up on the ``JobSignal``, the poll
    /// interval on `clock`, or a stop request, whichever comes first.
    private func idle<C: Clock>(context: ChildContext, clock: C) async where C.Duration == Duration {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.signal.wait() }
            group.addTask { try? await clock.sleep(for: self.configuration.pollInterval) }
            group.addTask { await context.shutdownRequested() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Sleeps the store backoff for the `failures`-th consecutive failure on `clock`; logs
    /// the first failure and every 20th.
    private func pause<C: Clock>(after error: any Error, failures: Int, clock: C) async throws where C.Duration == Duration {
        let delay = self.configuration.storeBackoff.delay(attempt: failures)
        if failures == 1 || failures % 20 == 0 {
            self.logger.warning("worker_store_unavailable", metadata: ["worker": "\(self.name)", "error": "\(error)", "retry_in_s": "\(delay.seconds)"])
        }
        try await clock.sleep(for: delay)
    }
}
