import Actors
import Foundation
import Synchronization

/// A webhook ingest for router tests: the test decides how each submission is answered,
/// and every submitted record is kept.
///
/// By default a record is accepted, and a repeat of a transfer (same chain, tx_hash and
/// log index) gets the tx_id of its first submission. A stalled submission waits until its
/// timeout passes on ``clock`` (then throws the committer's timeout error, as the
/// ``GroupCommitter`` does) or its task is cancelled.
public final class ScriptedIngest: WebhookIngest {
    /// How the next submissions are answered.
    public enum Answer: Sendable {
        /// Stored (a repeat gets its first tx_id).
        case accept
        /// A repeat that contradicts the stored transfer, with this reason.
        case conflict(reason: String)
        /// The submission throws this error.
        case fail(ServiceError)
        /// The submission waits until its timeout has passed on ``ScriptedIngest/clock``, or
        /// until its task is cancelled.
        case stall
    }

    private struct State {
        var answer = Answer.accept
        var submitted: [DepositRecord] = []
        var timeouts: [Duration] = []
        var ids: [DepositRecord.Key: UUID] = [:]
        var stalled = 0
        var stallWatchers: [CheckedContinuation<Void, Never>] = []
        var clock: any Clock<Duration> = ContinuousClock()
    }

    private let state = Mutex(State())

    public init() {}

    /// Answers every submission from now on with `answer`.
    public func answer(_ answer: Answer) {
        self.state.withLock { $0.answer = answer }
    }

    /// Every record submitted so far, in order (stalled and refused ones included).
    public var submitted: [DepositRecord] { self.state.withLock { $0.submitted } }

    /// The timeout each submission came with, in order.
    public var timeouts: [Duration] { self.state.withLock { $0.timeouts } }

    /// Measures the timeouts of stalled submissions. Default: the continuous clock; a test
    /// sets a ``MockClock`` before the first submission.
    public var clock: any Clock<Duration> {
        get { self.state.withLock { $0.clock } }
        set { self.state.withLock { $0.clock = newValue } }
    }

    /// Returns once some submission is stalled.
    public func waitUntilStalled() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = self.state.withLock { state -> Bool in
                if state.stalled > 0 { return true }
                state.stallWatchers.append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }

    public func submit(_ record: DepositRecord, timeout: Duration) async throws -> IngestResult {
        let answer = self.state.withLock { state -> Answer in
            state.submitted.append(record)
            state.timeouts.append(timeout)
            return state.answer
        }
        switch answer {
        case .accept:
            return self.state.withLock { state in
                if let id = state.ids[record.key] { return IngestResult(txID: id, outcome: .accepted(created: false, queued: false)) }
                let id = UUID()
                state.ids[record.key] = id
                return IngestResult(txID: id, outcome: .accepted(created: true, queued: true))
            }
        case .conflict(let reason):
            let id = self.state.withLock { $0.ids[record.key] } ?? UUID()
            return IngestResult(txID: id, outcome: .conflict(reason: reason))
        case .fail(let error):
            throw error
        case .stall:
            return try await self.stall(timeout: timeout)
        }
    }

    /// Waits for the deadline on ``clock``; a cancelled task ends the sleep with `CancellationError`.
    private func stall(timeout: Duration) async throws -> IngestResult {
        let (clock, watchers) = self.state.withLock { state in
            state.stalled += 1
            defer { state.stallWatchers = [] }
            return (state.clock, state.stallWatchers)
        }
        for watcher in watchers { watcher.resume() }
        try await clock.sleep(for: timeout)
        throw GroupCommitter.commitTimedOut(after: timeout)
    }
}
