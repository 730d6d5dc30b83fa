import DequeModule
import Foundation
import HeapModule
import Logging
import Runtime
import Synchronization

/// Coalesces concurrent webhooks into shared store transactions (group commit).
///
/// Handlers call ``submit(_:)`` concurrently; each waits for its own result. The flush
/// loop in ``run()`` takes everything waiting (up to ``Configuration/maximumBatchSize``)
/// as soon as a flush slot is free, so a lone request is committed at once and a burst
/// shares one transaction: batches are full under load and small when idle, with no
/// timer in between. Nothing is answered before its transaction committed.
///
/// The queue is bounded (``Configuration/maximumPending``): beyond it ``submit(_:)`` fails at
/// once with ``QueueFull`` rather than growing while the store is slow. A cancelled waiter
/// is dropped from the waiter map in O(1) and its queue entry left as a tombstone, skipped
/// when a batch is taken. A waiter submitted with a timeout (``submit(_:timeout:)``) is failed
/// the same way once its deadline passes on the committer's clock, queued or in flight: one
/// expiry loop per committer, beside the flush loop, sleeps until the earliest deadline, so a
/// timeout costs no task and no timer of its own. A committer belongs to one run of its owner:
/// once ``run()`` returned it refuses work for good, so a restarted owner creates a new one.
public final class GroupCommitter: Sendable {
    /// The queue held ``Configuration/maximumPending`` webhooks already: the underlying error
    /// of the ``ServiceError/Code/unavailable`` error ``submit(_:)`` throws then (HTTP 503).
    public struct QueueFull: Error, Sendable, CustomStringConvertible {
        public var limit: Int
        public var description: String { "ingest queue is full (\(self.limit) webhooks waiting)" }
    }

    /// Hears about every committed or failed batch, for metrics and logs: it decides
    /// nothing (waking the workers is ``Configuration/wakeUp``).
    public protocol Observer: Sendable {
        /// A transaction of `size` records committed and queued `queued` of them for
        /// crediting. A batch retried one record at a time reports each record's transaction.
        func batchCommitted(size: Int, queued: Int, duration: Duration)
        /// A transaction of `size` records failed and its webhooks were answered with an error.
        func batchFailed(size: Int, error: any Error)
        /// The store refused a batch of `size` records for its data; each record was then
        /// committed on its own and `refused` of them were refused again. Default: nothing.
        func batchRetriedOneByOne(size: Int, refused: Int)
        /// A batch of `size` records met a deadlock or serialization failure and is committed
        /// again (`attempt` counts from 1). Default: nothing.
        func batchConflictRetried(size: Int, attempt: Int)
    }

    struct Entry {
        var id: UInt64
        var record: DepositRecord
    }

    struct Waiter {
        var continuation: CheckedContinuation<IngestResult, any Error>
        /// Still in `pending` (false once taken into a batch).
        var queued: Bool
        /// How long it may wait (nil: until its batch is answered); it has a ``Deadline``.
        var timeout: Duration?
    }

    /// When a waiter times out, as an offset on the committer's ``DeadlineClock``; ordered by
    /// offset, then by submission.
    struct Deadline: Comparable {
        var offset: Duration
        var id: UInt64

        static func < (lhs: Deadline, rhs: Deadline) -> Bool {
            (lhs.offset, lhs.id) < (rhs.offset, rhs.id)
        }
    }

    /// ``run()`` has not started yet, runs, or has returned (for good).
    enum Lifecycle {
        case idle
        case running
        case stopped
    }

    /// Everything the committer decides on, behind one lock (``state``). Internal only so that
    /// `GroupCommitter+Deadlines.swift` can reach it.
    struct State {
        var nextID: UInt64 = 0
        /// Queued entries in arrival order. An entry whose waiter is gone (cancelled) is a
        /// tombstone: skipped when a batch is taken, compacted away when they pile up.
        var pending: Deque<Entry> = []
        /// Entries in `pending` that still have a waiter.
        var queued = 0
        /// Whoever removes a waiter from here resumes its continuation — exactly once.
        var waiters: [UInt64: Waiter] = [:]
        var inFlight = 0
        var flusher: CheckedContinuation<Void, Never>?
        var lifecycle = Lifecycle.idle
        /// Callers of ``waitUntilPending(atLeast:)``, each with the count it waits for.
        var pendingWatchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// The deadline of every waiter submitted with a timeout. An entry whose waiter is gone
        /// (answered, cancelled) stays behind until it reaches the top after the alarm rang, or
        /// until such entries outnumber the waiters (then they are dropped at once).
        var deadlines = Heap<Deadline>()
        /// The offset at which the expiry loop looks at `deadlines` next; nil while it waits for
        /// a deadline (then any new one wakes it).
        var alarm: Duration?
        /// The expiry loop, waiting for its alarm or for an earlier deadline.
        var expiry: CheckedContinuation<Void, Never>?
        /// The expiry loop was woken while it was not waiting: its next wait returns at once.
        var expiryWoken = false
    }

    let store: any DepositStore
    let configuration: Configuration
    let observer: (any Observer)?
    /// Times the delays between retries of a batch that met a deadlock.
    let clock: any Clock<Duration>
    /// The same clock, measuring the waiters' timeouts.
    let deadlineClock: DeadlineClock
    let logger: Logger
    let state = Mutex(State())

    /// - Parameters:
    ///   - observer: hears about every batch (metrics); it decides nothing.
    ///   - clock: times ``Configuration/conflictBackoff`` and the timeouts of ``submit(_:timeout:)``
    ///     (a test passes a mock clock).
    public init(
        store: any DepositStore, configuration: Configuration = .init(), observer: (any Observer)? = nil,
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.observer = observer
        self.clock = clock
        self.deadlineClock = DeadlineClock(clock)
        self.logger = logger
    }

    /// Records one webhook; returns once its batch committed.
    ///
    /// - Throws: ``ServiceError/Code/invalidField`` when the store refused this record's
    ///   values (records batched with it are committed without it);
    ///   ``ServiceError/Code/unavailable`` when the store failed, the committer is stopped,
    ///   or the queue is full (its underlying error is then ``QueueFull``);
    ///   `CancellationError` when the caller is cancelled first (the record may
    ///   still be committed by a batch already in flight — a retry then gets the same tx_id).
    public func submit(_ record: DepositRecord) async throws -> IngestResult {
        try await self.submit(record, expiringAfter: nil)
    }

    /// Records one webhook; returns once its batch committed, or fails once `timeout` has
    /// passed on the committer's clock.
    ///
    /// - Throws: what ``submit(_:)`` throws, and ``ServiceError/Code/unavailable`` ("the store
    ///   did not commit within …") at the deadline, whether the record still waited in the
    ///   queue (it is then never committed) or its batch was in flight (the record may still be
    ///   committed — a retry then gets the same tx_id).
    public func submit(_ record: DepositRecord, timeout: Duration) async throws -> IngestResult {
        try await self.submit(record, expiringAfter: timeout)
    }

    private func submit(_ record: DepositRecord, expiringAfter timeout: Duration?) async throws -> IngestResult {
        let deadline = timeout.map { self.deadlineClock.now() + $0 }
        let id = self.state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IngestResult, any Error>) in
                typealias Wakes = (flusher: CheckedContinuation<Void, Never>?, expiry: CheckedContinuation<Void, Never>?)
                let (wakes, refusal, watchers) = self.state.withLock { state -> (Wakes, (any Error)?, [CheckedContinuation<Void, Never>]) in
                    if state.lifecycle == .stopped { return ((nil, nil), ServiceError(.unavailable, "ingest is shutting down"), []) }
                    if Task.isCancelled { return ((nil, nil), CancellationError(), []) }
                    let limit = self.configuration.maximumPending
                    if state.queued >= limit {
                        return ((nil, nil), ServiceError(.unavailable, "ingest queue is full", underlying: QueueFull(limit: limit)), [])
                    }
                    // Tombstones outnumber live entries: drop them (amortised O(1) per cancellation).
                    if state.pending.count >= 2 * limit {
                        let waiters = state.waiters
                        state.pending.removeAll { waiters[$0.id] == nil }
                    }
                    state.waiters[id] = Waiter(continuation: continuation, queued: true, timeout: timeout)
                    state.queued += 1
                    state.pending.append(Entry(id: id, record: record))
                    let expiry = deadline.flatMap { Self.addDeadline(Deadline(offset: $0, id: id), to: &state) }
                    return ((self.takeFlusherIfReady(&state), expiry), nil, Self.takeSatisfiedWatchers(&state))
                }
                if let refusal { continuation.resume(throwing: refusal) }
                for watcher in watchers { watcher.resume() }
                wakes.expiry?.resume()
                wakes.flusher?.resume()
            }
        } onCancel: {
            // O(1): the queue entry stays behind as a tombstone.
            let continuation = self.state.withLock { state -> CheckedContinuation<IngestResult, any Error>? in
                guard let waiter = state.waiters.removeValue(forKey: id) else { return nil }
                if waiter.queued { state.queued -= 1 }
                return waiter.continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Webhooks waiting for a batch (cancelled ones excluded).
    public var pendingCount: Int { self.state.withLock { $0.queued } }

    /// Whether ``run()`` is running: the committer takes and commits work. False before it
    /// started and for good once it returned.
    public var isRunning: Bool { self.state.withLock { $0.lifecycle == .running } }

    /// Returns once at least `count` records wait for a batch: lets a test (or a benchmark)
    /// fill a batch before the flush loop runs, without sleeping.
    public func waitUntilPending(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = self.state.withLock { state -> Bool in
                if state.queued >= count { return true }
                state.pendingWatchers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private static func takeSatisfiedWatchers(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard !state.pendingWatchers.isEmpty else { return [] }
        let count = state.queued
        let satisfied = state.pendingWatchers.filter { $0.count <= count }.map(\.continuation)
        state.pendingWatchers.removeAll { $0.count <= count }
        return satisfied
    }

    private func takeFlusherIfReady(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard state.queued > 0, state.inFlight < self.configuration.maximumConcurrentBatches else { return nil }
        defer { state.flusher = nil }
        return state.flusher
    }

    /// The flush loop and the expiry loop (``submit(_:timeout:)``). Returns when cancelled,
    /// once the batches in flight have committed (or failed) and been answered; requests still
    /// waiting in the queue then fail with ``ServiceError/Code/unavailable`` (their records were
    /// not committed). Deadlines are no longer watched once cancelled: a waiter whose batch is
    /// still in flight then is answered when that batch ends.
    ///
    /// Runs once: a second call returns at once (the committer belongs to one run of its
    /// owner; a restarted owner creates a new committer).
    public func run() async {
        let starting = self.state.withLock { state -> Bool in
            guard state.lifecycle == .idle else { return false }
            state.lifecycle = .running
            return true
        }
        guard starting else { return }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.expireWaiters() }
            while let batch = await self.nextBatch() {
                group.addTask { await self.commit(batch) }
            }
        }
        let abandoned = self.state.withLock { state -> [CheckedContinuation<IngestResult, any Error>] in
            state.lifecycle = .stopped
            state.pending.removeAll()
            state.queued = 0
            state.deadlines = Heap()
            state.alarm = nil
            defer { state.waiters.removeAll() }
            return state.waiters.values.map(\.continuation)
        }
        for continuation in abandoned {
            continuation.resume(throwing: ServiceError(.unavailable, "ingest is shutting down"))
        }
    }

    /// Waits for work and a free slot; nil once cancelled.
    private func nextBatch() async -> [Entry]? {
        while !Task.isCancelled {
            if let batch = self.state.withLock({ self.takeBatch(&$0) }) { return batch }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = self.state.withLock { state -> Bool in
                        if Task.isCancelled || (state.queued > 0 && state.inFlight < self.configuration.maximumConcurrentBatches) {
                            return true
                        }
                        state.flusher = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.state.withLock { state in
                    defer { state.flusher = nil }
                    return state.flusher
                }?.resume()
            }
        }
        return nil
    }

    /// Removes the next batch from the queue: distinct transfers only. A second sighting of
    /// a transfer in the same batch is merged into the first when it agrees (the highest
    /// confirmations win) and otherwise waits for the next batch. Tombstones are dropped.
    private func takeBatch(_ state: inout State) -> [Entry]? {
        guard state.queued > 0, state.inFlight < self.configuration.maximumConcurrentBatches else { return nil }
        var batch: [Entry] = []
        var deferred: [Entry] = []
        var positions: [DepositRecord.Key: Int] = [:]
        while batch.count < self.configuration.maximumBatchSize, let entry = state.pending.popFirst() {
            guard state.waiters[entry.id] != nil else { continue }  // cancelled: a tombstone
            if let position = positions[entry.record.key] {
                // Entries past `position` share its result; the first stays the representative.
                if batch[position].record.conflict(with: entry.record) == nil,
                   batch[position].record.chainStatus == entry.record.chainStatus {
                    batch[position].record.confirmations = max(batch[position].record.confirmations, entry.record.confirmations)
                    batch.append(entry)
                } else {
                    deferred.append(entry)
                }
            } else {
                positions[entry.record.key] = batch.count
                batch.append(entry)
            }
        }
        for entry in deferred.reversed() { state.pending.prepend(entry) }
        guard !batch.isEmpty else { return nil }
        for entry in batch { state.waiters[entry.id]?.queued = false }
        state.queued -= batch.count
        state.inFlight += 1
        return batch
    }

    private func commit(_ batch: [Entry]) async {
        var representatives: [Int] = []
        var seen: [DepositRecord.Key: Int] = [:]
        for (index, entry) in batch.enumerated() where seen[entry.record.key] == nil {
            seen[entry.record.key] = representatives.count
            representatives.append(index)
        }
        let records = representatives.map { batch[$0].record }
        let results = await self.ingest(records)

        let (continuations, flusher) = self.state.withLock { state in
            state.inFlight -= 1
            let continuations = batch.map { state.waiters.removeValue(forKey: $0.id)?.continuation }
            return (continuations, self.takeFlusherIfReady(&state))
        }
        var firstSeen: Set<DepositRecord.Key> = []
        for (index, entry) in batch.enumerated() {
            switch results[seen[entry.record.key]!] {
            case .success(var result):
                if !firstSeen.insert(entry.record.key).inserted, case .accepted(_, let queuedNow) = result.outcome {
                    result.outcome = .accepted(created: false, queued: queuedNow)
                }
                continuations[index]?.resume(returning: result)
            case .failure(let error):
                continuations[index]?.resume(throwing: error)
            }
        }
        flusher?.resume()
    }
}

extension GroupCommitter.Observer {
    public func batchRetriedOneByOne(size: Int, refused: Int) {}
    public func batchConflictRetried(size: Int, attempt: Int) {}
}
