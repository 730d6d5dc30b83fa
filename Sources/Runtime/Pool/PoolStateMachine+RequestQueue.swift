import DequeModule

extension PoolStateMachine {
    /// A waiting request: when it arrived and when it gives up.
    ///
    /// A request has one state, waiting, and leaves it exactly once:
    /// - leased: a ``Action/lease(_:to:waited:)`` hands it a connection;
    /// - failed: ``Action/fail(_:_:)`` with `poolAcquireTimeout` once its deadline passes,
    ///   or `poolClosed` when the pool closes (a request made after that fails at once);
    /// - cancelled: `leaseCancelled` removes it without an action.
    /// After that the machine forgets it; later events naming it change nothing.
    struct Waiter: Sendable, Equatable {
        var id: RequestID
        var enqueuedAt: Instant
        var deadline: Instant
    }

    /// The FIFO queue of waiting requests.
    ///
    /// Appending and popping are O(1). Removing a request from the middle (a cancelled
    /// caller) is O(1) too: it leaves the dictionary at once, and its stale id is skipped
    /// when it reaches the head of the deque.
    struct RequestQueue: Sendable {
        private var order: Deque<RequestID> = []
        private var waiters: [RequestID: Waiter] = [:]

        /// The number of requests waiting.
        var count: Int { self.waiters.count }

        var isEmpty: Bool { self.waiters.isEmpty }

        /// Adds a request at the tail.
        mutating func append(_ waiter: Waiter) {
            precondition(self.waiters[waiter.id] == nil, "request ids must be unique")
            self.waiters[waiter.id] = waiter
            self.order.append(waiter.id)
        }

        /// The longest-waiting request, if any.
        mutating func first() -> Waiter? {
            self.dropStaleHead()
            return self.order.first.flatMap { self.waiters[$0] }
        }

        /// Removes and returns the longest-waiting request.
        mutating func popFirst() -> Waiter? {
            self.dropStaleHead()
            guard let id = self.order.popFirst() else { return nil }
            return self.waiters.removeValue(forKey: id)
        }

        /// Removes a request wherever it is; `nil` if it is not waiting.
        mutating func remove(_ id: RequestID) -> Waiter? {
            guard let waiter = self.waiters.removeValue(forKey: id) else { return nil }
            if self.waiters.isEmpty { self.order.removeAll() }
            return waiter
        }

        /// Removes every request, oldest first.
        mutating func removeAll() -> [Waiter] {
            var all: [Waiter] = []
            all.reserveCapacity(self.waiters.count)
            while let waiter = self.popFirst() { all.append(waiter) }
            self.order.removeAll()
            return all
        }

        private mutating func dropStaleHead() {
            while let id = self.order.first, self.waiters[id] == nil {
                self.order.removeFirst()
            }
        }
    }
}
