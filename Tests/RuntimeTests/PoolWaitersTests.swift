import Testing

@testable import Runtime

@Suite struct PoolWaitersTests {
    @Test func idsAreUnique() {
        let waiters = PoolWaiters<Int>()
        let ids = (0..<100).map { _ in waiters.makeID() }
        #expect(Set(ids).count == 100)
    }

    @Test func resumedWaiterGetsTheValueOnce() async throws {
        let waiters = PoolWaiters<Int>()
        let id = waiters.makeID()
        let value = try await withCheckedThrowingContinuation { continuation in
            #expect(waiters.register(id, continuation))
            #expect(waiters.resume(id, returning: 7))
            #expect(!waiters.resume(id, returning: 8))
            waiters.cancel(id)  // already answered: nothing happens
        }
        #expect(value == 7)
        #expect(waiters.count == 0)
    }

    @Test func cancelledWaiterRefusesTheValue() async {
        let waiters = PoolWaiters<Int>()
        let id = waiters.makeID()
        await #expect(throws: CancellationError.self) {
            try await withCheckedThrowingContinuation { continuation in
                #expect(waiters.register(id, continuation))
                waiters.cancel(id)
            }
        }
        #expect(!waiters.resume(id, returning: 1))
    }

    @Test func alreadyCancelledTaskIsNotRegistered() async {
        let waiters = PoolWaiters<Int>()
        let id = waiters.makeID()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withCheckedThrowingContinuation { continuation in
                if !waiters.register(id, continuation) {
                    continuation.resume(throwing: CancellationError())
                }
            }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(waiters.count == 0)
    }
}
