import Actors
import Foundation
import Synchronization

/// Records what workers did with each job, and lets a test wait for it.
public final class SettlementLog: WorkerObserver {
    private struct Waiter {
        var id: Int
        var condition: @Sendable (State) -> Bool
        var continuation: CheckedContinuation<Void, any Error>
    }

    public struct State: Sendable {
        /// Every processing outcome, per deposit, in order.
        public var outcomes: [UUID: [JobOutcome]] = [:]
        /// Failed attempts per deposit, with the state recorded after each.
        public var failures: [UUID: [DepositState?]] = [:]

        /// Deposits that reached a final state through a worker.
        public var settled: [UUID: DepositState] {
            var result: [UUID: DepositState] = [:]
            for (txID, outcomes) in self.outcomes {
                for outcome in outcomes {
                    switch outcome {
                    case .credited: result[txID] = .credited
                    case .unmatched: result[txID] = .unmatched
                    case .failed, .balanceCeiling: result[txID] = .failed
                    case .alreadyFinal, .leaseLost: break
                    }
                }
            }
            for (txID, states) in self.failures where states.contains(.dead) { result[txID] = .dead }
            return result
        }

        /// The deposits in `txIDs` neither settled nor failed after their commit.
        public func unhandled(_ txIDs: Set<UUID>) -> Set<UUID> {
            let settled = self.settled
            return txIDs.filter { settled[$0] == nil && self.failures[$0]?.contains(nil) != true }
        }

        /// How many times each deposit was credited (must never exceed 1).
        public var credits: [UUID: Int] {
            self.outcomes.mapValues { $0.count { $0 == .credited } }
        }
    }

    private let state = Mutex<(state: State, waiters: [Waiter], nextID: Int)>((State(), [], 0))

    public init() {}

    public var snapshot: State { self.state.withLock { $0.state } }

    public func jobProcessed(txID: UUID, outcome: JobOutcome, worker: String) {
        self.update { $0.outcomes[txID, default: []].append(outcome) }
    }

    public func jobFailed(txID: UUID, state: DepositState?, worker: String) {
        self.update { $0.failures[txID, default: []].append(state) }
    }

    private func update(_ change: (inout State) -> Void) {
        let ready = self.state.withLock { box -> [CheckedContinuation<Void, any Error>] in
            change(&box.state)
            let current = box.state
            var ready: [CheckedContinuation<Void, any Error>] = []
            box.waiters.removeAll { waiter in
                guard waiter.condition(current) else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once `condition` holds (immediately if it already does). Throws
    /// `CancellationError` if the waiting task is cancelled first, so a run that never
    /// settles fails under a watchdog instead of hanging.
    public func wait(until condition: @escaping @Sendable (State) -> Bool) async throws {
        let id = self.state.withLock { box -> Int in
            box.nextID += 1
            return box.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = self.state.withLock { box -> Result<Void, any Error>? in
                    if condition(box.state) { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    box.waiters.append(Waiter(id: id, condition: condition, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = self.state.withLock { box -> Waiter? in
                guard let index = box.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return box.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Waits until `txID` reached a final state and returns it.
    @discardableResult
    public func settlement(of txID: UUID) async throws -> DepositState {
        try await self.wait { $0.settled[txID] != nil }
        return self.snapshot.settled[txID]!
    }

    /// Waits until every deposit in `txIDs` reached a final state.
    public func settlement(of txIDs: Set<UUID>) async throws {
        try await self.wait { state in
            let settled = state.settled
            return txIDs.allSatisfy { settled[$0] != nil }
        }
    }

    /// Waits until every deposit in `txIDs` is out of the workers' hands: settled, or its
    /// last attempt failed after its commit (the job was already gone, so the worker never
    /// learns the outcome; the store has it).
    public func handled(_ txIDs: Set<UUID>) async throws {
        try await self.wait { $0.unhandled(txIDs).isEmpty }
    }
}
