import Testing
import TestSupport

@testable import Runtime

@Suite struct PoolRequestQueueTests {
    typealias Queue = TestMachine.RequestQueue
    typealias Waiter = TestMachine.Waiter

    func waiter(_ id: Int) -> Waiter {
        Waiter(id: id, enqueuedAt: t(id), deadline: t(id + 30))
    }

    @Test func popsInArrivalOrder() {
        var queue = Queue()
        for id in 1...3 { queue.append(self.waiter(id)) }
        #expect(queue.count == 3)
        #expect(queue.first() == self.waiter(1))
        #expect(queue.popFirst()?.id == 1)
        #expect(queue.popFirst()?.id == 2)
        #expect(queue.popFirst()?.id == 3)
        #expect(queue.popFirst() == nil)
        #expect(queue.isEmpty)
    }

    @Test func removedRequestsAreSkipped() {
        var queue = Queue()
        for id in 1...4 { queue.append(self.waiter(id)) }
        #expect(queue.remove(1)?.id == 1)
        #expect(queue.remove(3)?.id == 3)
        #expect(queue.remove(3) == nil)
        #expect(queue.count == 2)
        #expect(queue.first()?.id == 2)
        #expect(queue.removeAll().map(\.id) == [2, 4])
        #expect(queue.isEmpty)
    }

    @Test func removingTheLastRequestForgetsStaleIDs() {
        var queue = Queue()
        queue.append(self.waiter(1))
        _ = queue.remove(1)
        queue.append(self.waiter(2))
        #expect(queue.first()?.id == 2)
        #expect(queue.count == 1)
    }
}
