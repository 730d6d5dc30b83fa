import Synchronization
import Testing

@testable import Runtime

/// Records what a pool reports and lets a test wait for a condition on it.
final class RecordingPoolObserver: PoolObserver {
    struct Record: Sendable {
        var statistics = PoolStatistics()
        var statisticsChanges = 0
        var waits: [Duration] = []
        var timeouts = 0
        var connectFailures: [Int] = []
    }

    private struct Condition {
        var isMet: @Sendable (Record) -> Bool
        var continuation: CheckedContinuation<Record, Never>
    }

    private struct State {
        var record = Record()
        var conditions: [Condition] = []
    }

    private let state = Mutex(State())

    var record: Record { self.state.withLock { $0.record } }

    func statisticsChanged(_ statistics: PoolStatistics) {
        self.update {
            $0.statistics = statistics
            $0.statisticsChanges += 1
        }
    }

    func acquired(waited: Duration) {
        self.update { $0.waits.append(waited) }
    }

    func acquireTimedOut() {
        self.update { $0.timeouts += 1 }
    }

    func connectFailed(error: any Error, attempt: Int) {
        self.update { $0.connectFailures.append(attempt) }
    }

    /// Waits until `condition` holds for what was recorded, and returns it.
    @discardableResult
    func waitUntil(_ condition: @escaping @Sendable (Record) -> Bool) async -> Record {
        await withCheckedContinuation { continuation in
            let met = self.state.withLock { state -> Record? in
                if condition(state.record) { return state.record }
                state.conditions.append(Condition(isMet: condition, continuation: continuation))
                return nil
            }
            if let met { continuation.resume(returning: met) }
        }
    }

    private func update(_ change: (inout Record) -> Void) {
        let (record, met) = self.state.withLock { state in
            change(&state.record)
            var met: [CheckedContinuation<Record, Never>] = []
            state.conditions.removeAll { condition in
                guard condition.isMet(state.record) else { return false }
                met.append(condition.continuation)
                return true
            }
            return (state.record, met)
        }
        for continuation in met { continuation.resume(returning: record) }
    }
}

@Suite struct PoolObserverTests {
    @Test func recordingObserverWakesAWaiterWhenItsConditionHolds() async {
        let observer = RecordingPoolObserver()
        async let record = observer.waitUntil { $0.statistics.waiters == 2 }
        observer.statisticsChanged(PoolStatistics(waiters: 1))
        observer.statisticsChanged(PoolStatistics(waiters: 2))
        #expect(await record.statisticsChanges == 2)
    }
}
