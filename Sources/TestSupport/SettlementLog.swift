import Actors
import Foundation
import Synchronization

/// Records what workers did with each job, and lets a test wait for it.
public final class SettlementLog: WorkerObserver {
    private struct Waiter {
        var condition: @Sendable (State) -> Bool
        var continuation: CheckedContinuation<Void, Never>
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
                    case .failed: result[txID] = .failed
                    case .alreadyFinal, .leaseLost: break
                    }
                }
            }
            for (txID, states) in self.failures where states.contains(.dead) { result[txID] = .dead }
            return result
        }

        /// How many times each deposit was credited (must never exceed 1).
        public var credits: [UUID: Int] {
            self.outcomes.mapValues { $0.count { $0 == .credited } }
        }
    }

    private let state = Mutex<(State, [Waiter])>((State(), []))

    public init() {}

    public var snapshot: State { self.state.withLock { $0.0 } }

    public func jobProcessed(txID: UUID, outcome: JobOutcome, worker: String) {
        self.update { $0.outcomes[txID, default: []].append(outcome) }
    }

    public func jobFailed(txID: UUID, state: DepositState?, worker: String) {
        self.update { $0.failures[txID, default: []].append(state) }
    }

    private func update(_ change: (inout State) -> Void) {
        let ready = self.state.withLock { box -> [CheckedContinuation<Void, Never>] in
            change(&box.0)
            let current = box.0
            var ready: [CheckedContinuation<Void, Never>] = []
            box.1.removeAll { waiter in
                guard waiter.condition(current) else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once `condition` holds (immediately if it already does).
    public func wait(until condition: @escaping @Sendable (State) -> Bool) async {
        await withCheckedContinuation { continuation in
            let satisfied = self.state.withLock { box -> Bool in
                if condition(box.0) { return true }
                box.1.append(Waiter(condition: condition, continuation: continuation))
                return false
            }
            if satisfied { continuation.resume() }
        }
    }

    /// Waits until `txID` reached a final state and returns it.
    @discardableResult
    public func settlement(of txID: UUID) async -> DepositState {
        await self.wait { $0.settled[txID] != nil }
        return self.snapshot.settled[txID]!
    }

    /// Waits until every deposit in `txIDs` reached a final state.
    public func settlement(of txIDs: Set<UUID>) async {
        await self.wait { state in
            let settled = state.settled
            return txIDs.allSatisfy { settled[$0] != nil }
        }
    }
}
