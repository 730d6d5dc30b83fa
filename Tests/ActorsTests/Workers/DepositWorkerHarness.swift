import Actors
import Foundation
import Logging
import Runtime
import TestSupport
import Testing

/// One ``DepositWorker`` under a supervisor that restarts it at once, on a
/// ``ScriptedDepositStore`` (the test answers every store call) and a ``MockClock`` (the
/// worker's backoffs and idle poll wait for the test to move time).
struct DepositWorkerHarness: Sendable {
    static let owner = "test/worker-1"

    /// No jitter, so every delay is known: retries after 1 s, 2 s, 4 s …; store backoff
    /// 100 ms, 200 ms, 400 ms …; an idle worker looks again after 2 s.
    static let configuration = DepositWorker.Configuration(
        lease: .seconds(15),
        maximumAttempts: 3,
        retryBackoff: Backoff(minimum: .seconds(1), maximum: .seconds(300), jitter: 0),
        storeBackoff: Backoff(minimum: .milliseconds(100), maximum: .seconds(5), jitter: 0),
        pollInterval: .seconds(2),
        batchSize: 32
    )

    /// Publishes and answers the worker's store calls.
    let store: ScriptedDepositStore
    let clock = MockClock()
    let signal = JobSignal(maximumPermits: 1)
    let log = SettlementLog()
    let supervisor: Supervisor<MockClock>

    /// - Parameter claimSettling: the worker's store claims and settles in one transaction
    ///   (a ``ScriptedClaimSettlingStore``, as PostgreSQL), else it has the lease path only.
    init(configuration: DepositWorker.Configuration = Self.configuration, claimSettling: Bool = false) {
        let workerStore: any DepositStore
        if claimSettling {
            let store = ScriptedClaimSettlingStore()
            (self.store, workerStore) = (store.scripted, store)
        } else {
            let store = ScriptedDepositStore()
            (self.store, workerStore) = (store, store)
        }
        let worker = DepositWorker(
            name: "worker-1", instance: "test", configuration: configuration, store: workerStore, signal: self.signal,
            metrics: ServiceMetrics(recorder: MetricsActor(logger: .silent()).recorder), observer: self.log, logger: .silent()
        )
        let clock = self.clock
        self.supervisor = Supervisor(
            name: "workers",
            configuration: .init(maxRestarts: 100, backoff: Backoff(minimum: .zero, maximum: .zero)),
            children: [ChildSpec(name: worker.name) { context in try await worker.run(context: context, clock: clock) }],
            clock: MockClock(),
            logger: .silent()
        )
    }

    /// Runs the worker while `body` reads and answers its store calls; cancels it afterwards
    /// (a call still waiting for an answer then throws `CancellationError`).
    static func run(
        configuration: DepositWorker.Configuration = Self.configuration,
        claimSettling: Bool = false,
        _ body: (DepositWorkerHarness, inout AsyncStream<ScriptedDepositStore.Call>.Iterator) async throws -> Void
    ) async throws {
        let harness = DepositWorkerHarness(configuration: configuration, claimSettling: claimSettling)
        var calls = harness.store.calls.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await harness.supervisor.run() }
            do {
                try await body(harness, &calls)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    /// Waits until the worker idles on the signal, then wakes it (as a newly queued job would).
    func wakeIdleWorker() async {
        await self.signal.waitUntilWaiting(atLeast: 1)
        self.signal.notify()
    }

    static func job(_ failedAttempts: Int = 0) -> ClaimedJob {
        ClaimedJob(txID: UUID(), leaseToken: UUID(), owner: Self.owner, failedAttempts: failedAttempts)
    }
}

extension AsyncStream<ScriptedDepositStore.Call>.Iterator {
    /// The worker's next store call, which must be `request`.
    mutating func next(
        expecting request: ScriptedDepositStore.Request, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> ScriptedDepositStore.Call {
        let call = try #require(await self.next(), "the store's calls ended", sourceLocation: sourceLocation)
        #expect(call.request == request, sourceLocation: sourceLocation)
        return call
    }

    /// Answers the release of a starting worker (nothing held) and returns its first claim.
    mutating func started(sourceLocation: SourceLocation = #_sourceLocation) async throws -> ScriptedDepositStore.Call {
        try await self.next(expecting: .releaseLeases(owner: DepositWorkerHarness.owner), sourceLocation: sourceLocation).released(0)
        return try await self.next(expecting: .claim, sourceLocation: sourceLocation)
    }
}

extension ScriptedDepositStore.Request {
    /// The claim every test's worker makes.
    static let claim = Self.claimJobs(owner: DepositWorkerHarness.owner, lease: .seconds(15), limit: 32)
}

/// An error the store reports when it cannot be reached: not charged to any deposit.
let storeUnreachable = ServiceError(.unavailable, "database connection lost")

/// An error that belongs to the deposit being settled: charged an attempt.
let depositBroken = ServiceError(.storeFailure, "settlement failed")
