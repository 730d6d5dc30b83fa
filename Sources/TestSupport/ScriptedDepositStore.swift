import Actors
import Foundation
import Synchronization

/// A store for worker tests in which the test decides the outcome of every call.
///
/// Each call of the four job methods a ``DepositWorker`` makes (claim, settle, fail,
/// release) suspends and is published on ``calls``; the test reads the next one, checks
/// what was asked, and answers it (``Call/claimed(_:)``, ``Call/settled(_:)``,
/// ``Call/failed(state:)``, ``Call/released(_:)``) or fails it (``Call/fail(with:)``).
/// A call whose task is cancelled before it is answered throws `CancellationError`, as a
/// real store does when its query is cancelled; a later answer to it is ignored.
///
/// Every other method fails: a worker has no business calling them.
public final class ScriptedDepositStore: DepositStore {
    /// What the worker asked for.
    public enum Request: Sendable, Hashable {
        case claimJobs(owner: String, lease: Duration, limit: Int)
        case processJobs([ClaimedJob])
        case failJob(ClaimedJob, retryAfter: Duration, maxAttempts: Int)
        case releaseLeases(owner: String)
        /// ``ScriptedClaimSettlingStore``'s one-transaction claim and settlement.
        case claimAndSettle(owner: String, limit: Int)
    }

    /// One suspended call, waiting for the test's answer.
    public struct Call: Sendable {
        public let request: Request
        /// The `reason` passed to `failJob` (nil for the other calls).
        public let reason: String?
        fileprivate let reply: Reply

        /// Answers a claim.
        public func claimed(_ jobs: [ClaimedJob]) { self.reply.resume(with: .success(.jobs(jobs))) }
        /// Answers a settlement.
        public func settled(_ outcomes: [UUID: JobOutcome]) { self.reply.resume(with: .success(.outcomes(outcomes))) }
        /// Answers a failed attempt with the deposit's state after it (nil: the lease was lost).
        public func failed(state: DepositState?) { self.reply.resume(with: .success(.state(state))) }
        /// Answers a lease release with how many leases were freed.
        public func released(_ count: Int) { self.reply.resume(with: .success(.count(count))) }
        /// Answers a one-transaction claim and settlement.
        public func settled(_ batch: SettledBatch) { self.reply.resume(with: .success(.batch(batch))) }
        /// Makes the call throw `error`.
        public func fail(with error: any Error) { self.reply.resume(with: .failure(error)) }
    }

    fileprivate enum Answer: Sendable {
        case jobs([ClaimedJob])
        case outcomes([UUID: JobOutcome])
        case state(DepositState?)
        case count(Int)
        case batch(SettledBatch)
    }

    /// Resumes its continuation once: with the test's answer or with cancellation, whichever
    /// comes first.
    fileprivate final class Reply: Sendable {
        private let continuation = Mutex<CheckedContinuation<Answer, any Error>?>(nil)

        func install(_ continuation: CheckedContinuation<Answer, any Error>) {
            self.continuation.withLock { $0 = continuation }
        }

        func resume(with result: Result<Answer, any Error>) {
            let continuation = self.continuation.withLock { slot in
                defer { slot = nil }
                return slot
            }
            continuation?.resume(with: result)
        }
    }

    public let backend = StoreBackend.sqlite
    /// Every call, in the order the worker made them.
    public let calls: AsyncStream<Call>
    private let publish: AsyncStream<Call>.Continuation

    public init() {
        (self.calls, self.publish) = AsyncStream.makeStream(of: Call.self)
    }

    /// Ends ``calls``: once the worker stopped, a test reads what it called last and then
    /// the end.
    public func finish() {
        self.publish.finish()
    }

    /// Publishes the call and waits for its answer.
    private func call(_ request: Request, reason: String? = nil) async throws -> Answer {
        let reply = Reply()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Answer, any Error>) in
                reply.install(continuation)
                if Task.isCancelled {
                    reply.resume(with: .failure(CancellationError()))
                    return
                }
                self.publish.yield(Call(request: request, reason: reason, reply: reply))
            }
        } onCancel: {
            reply.resume(with: .failure(CancellationError()))
        }
    }

    private func unexpected(_ answer: Answer, to request: Request) -> ServiceError {
        ServiceError(.storeFailure, "ScriptedDepositStore: \(answer) does not answer \(request)")
    }

    public func claimJobs(owner: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        let request = Request.claimJobs(owner: owner, lease: lease, limit: limit)
        let answer = try await self.call(request)
        guard case .jobs(let jobs) = answer else { throw self.unexpected(answer, to: request) }
        return jobs
    }

    public func processJobs(_ jobs: [ClaimedJob]) async throws -> [UUID: JobOutcome] {
        let request = Request.processJobs(jobs)
        let answer = try await self.call(request)
        guard case .outcomes(let outcomes) = answer else { throw self.unexpected(answer, to: request) }
        return outcomes
    }

    public func failJob(_ job: ClaimedJob, reason: String, retryAfter: Duration, maxAttempts: Int) async throws -> DepositState? {
        let request = Request.failJob(job, retryAfter: retryAfter, maxAttempts: maxAttempts)
        let answer = try await self.call(request, reason: reason)
        guard case .state(let state) = answer else { throw self.unexpected(answer, to: request) }
        return state
    }

    public func releaseLeases(ownedBy owner: String) async throws -> Int {
        let request = Request.releaseLeases(owner: owner)
        let answer = try await self.call(request)
        guard case .count(let count) = answer else { throw self.unexpected(answer, to: request) }
        return count
    }

    /// Publishes the one-transaction claim; `claimed` hears the batch's jobs before the call
    /// returns, as a real store calls it before settling.
    func claimAndSettle(owner: String, limit: Int, claimed: @Sendable ([ClaimedJob]) -> Void) async throws -> SettledBatch {
        let request = Request.claimAndSettle(owner: owner, limit: limit)
        let answer = try await self.call(request)
        guard case .batch(let batch) = answer else { throw self.unexpected(answer, to: request) }
        if !batch.jobs.isEmpty { claimed(batch.jobs) }
        return batch
    }

    private func unsupported() -> ServiceError { ServiceError(.storeFailure, "ScriptedDepositStore supports the worker's job calls only") }

    public func migrate() async throws -> [Int] { throw self.unsupported() }
    public func ping() async throws { throw self.unsupported() }
    public func close() async {}
    public func ingest(_ records: [DepositRecord], confirmationThreshold: Int64) async throws -> [IngestResult] { throw self.unsupported() }
    public func createUser(username: String, telegramID: Int64?) async throws -> User { throw self.unsupported() }
    public func wallet(userID: UUID) async throws -> Wallet? { throw self.unsupported() }
    public func transaction(id: UUID) async throws -> TransactionStatus? { throw self.unsupported() }
    public func assign(txID: UUID, userID: UUID) async throws { throw self.unsupported() }
    public func requeue(txID: UUID) async throws { throw self.unsupported() }
    public func statistics() async throws -> StoreStatistics { throw self.unsupported() }
    public func verify() async throws -> [InvariantViolation] { throw self.unsupported() }
}
