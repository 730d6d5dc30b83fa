import Actors
import Foundation
import Synchronization

/// A webhook ingest for router tests: the test decides how each submission is answered,
/// and every submitted record is kept.
///
/// By default a record is accepted, and a repeat of a transfer (same chain, tx_hash and
/// log index) gets the tx_id of its first submission. A stalled submission waits until its
/// task is cancelled (as the route does once the ingest timeout has passed), then throws.
public final class ScriptedIngest: WebhookIngest {
    /// How the next submissions are answered.
    public enum Answer: Sendable {
        /// Stored (a repeat gets its first tx_id).
        case accept
        /// A repeat that contradicts the stored transfer, with this reason.
        case conflict(reason: String)
        /// The submission throws this error.
        case fail(ServiceError)
        /// The submission waits until its task is cancelled.
        case stall
    }

    private struct State {
        var answer = Answer.accept
        var submitted: [DepositRecord] = []
        var ids: [DepositRecord.Key: UUID] = [:]
        var stalled: [UUID: CheckedContinuation<IngestResult, any Error>] = [:]
        var cancelledBeforeStall: Set<UUID> = []
        var stallWatchers: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Answers every submission from now on with `answer`.
    public func answer(_ answer: Answer) {
        self.state.withLock { $0.answer = answer }
    }

    /// Every record submitted so far, in order (stalled and refused ones included).
    public var submitted: [DepositRecord] { self.state.withLock { $0.submitted } }

    /// Returns once some submission is stalled.
    public func waitUntilStalled() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = self.state.withLock { state -> Bool in
                if !state.stalled.isEmpty { return true }
                state.stallWatchers.append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }

    public func submit(_ record: DepositRecord) async throws -> IngestResult {
        let answer = self.state.withLock { state -> Answer in
            state.submitted.append(record)
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
            return try await self.stall()
        }
    }

    private func stall() async throws -> IngestResult {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<IngestResult, any Error>) in
                let (watchers, cancelled) = self.state.withLock { state -> ([CheckedContinuation<Void, Never>], Bool) in
                    if state.cancelledBeforeStall.remove(id) != nil { return ([], true) }
                    state.stalled[id] = continuation
                    defer { state.stallWatchers = [] }
                    return (state.stallWatchers, false)
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                for watcher in watchers { watcher.resume() }
            }
        } onCancel: {
            let continuation = self.state.withLock { state -> CheckedContinuation<IngestResult, any Error>? in
                if let continuation = state.stalled.removeValue(forKey: id) { return continuation }
                state.cancelledBeforeStall.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }
}
