extension PoolStateMachine {
    /// A connection just became usable (opened, returned healthy, or validated): keep it,
    /// hand it on, or close it.
    mutating func makeAvailable(_ connection: ConnectionID, now: Instant) -> [Action] {
        if self.lifecycle != .running || self.isTooOld(connection, now: now) {
            return [self.startClosing(connection)] + self.serve(now: now)
        }
        self.connections[connection]?.state = .idle(since: now)
        self.idle.append(connection)
        return self.serve(now: now)
    }

    /// Matches waiters with idle connections, opens connections for waiters nothing is on
    /// its way to, and arms the acquire timeout. Called at the end of every event.
    mutating func serve(now: Instant) -> [Action] {
        guard self.lifecycle == .running else { return self.finishIfDrained() }
        var actions: [Action] = []

        // 1. Idle connections to waiters, oldest waiter first. The stack is ordered by idle
        //    time, so once its top sat idle too long, all did: such a connection is validated
        //    first, set aside for one waiter meanwhile, and no more are checked than there
        //    are waiters.
        while !self.queue.isEmpty, let connection = self.idle.last {
            guard case .idle(let since) = self.connections[connection]?.state else {
                preconditionFailure("an idle-stack entry must be idle")
            }
            if self.isTooOld(connection, now: now) {
                self.idle.removeLast()
                actions.append(self.startClosing(connection))
            } else if since.duration(to: now) <= self.validateAfterIdle, let waiter = self.queue.popFirst() {
                self.idle.removeLast()
                self.connections[connection]?.state = .leased
                actions.append(.lease(connection, to: waiter.id, waited: waiter.enqueuedAt.duration(to: now)))
            } else if self.queue.count > self.count(.validating) {
                self.idle.removeLast()
                self.connections[connection]?.state = .validating
                actions.append(.validate(connection))
            } else {
                break
            }
        }

        // 2. New connections for the waiters that nothing opening or validating will serve.
        let uncovered = self.queue.count - self.count(.opening) - self.count(.validating)
        let room = self.maximum - self.connections.count
        if uncovered > 0 && room > 0 {
            switch self.connectivity {
            case .up:
                for _ in 0..<min(uncovered, room) {
                    actions.append(.connect(self.startOpening()))
                }
            case .down(let attempt, .due):
                let probe = self.startOpening()
                self.connectivity = .down(attempt: attempt, probe: .inFlight(probe))
                actions.append(.connect(probe))
            case .down(_, .scheduled), .down(_, .inFlight):
                break
            }
        }

        // 3. One timer, for the longest waiter. Deadlines grow along the queue, so a timer that
        //    fires for a waiter already served simply re-arms for the new head.
        if !self.timeoutArmed, let head = self.queue.first() {
            self.timeoutArmed = true
            actions.append(.scheduleTimeout(at: head.deadline))
        }

        // 4. Overflow the load no longer needs: while more than `poolSize` connections are
        //    kept, one idle for `overflowIdleTimeout` is closed, the one idle longest first.
        //    Closing overflow as soon as it is returned would make a load that hovers above
        //    `poolSize` open and close a connection per lease (a new PostgreSQL backend each
        //    time); waiting a while keeps the connections such a load keeps reusing.
        //    (`connections.count` first: it is O(1), and at or below `poolSize` nothing is due.)
        while self.connections.count > self.poolSize, self.keptCount > self.poolSize, let oldest = self.idle.first,
            case .idle(let since) = self.connections[oldest]?.state
        {
            let due = since.advanced(by: self.overflowIdleTimeout)
            guard due <= now else {
                if !self.idleCheckArmed {
                    self.idleCheckArmed = true
                    actions.append(.scheduleIdleCheck(at: due))
                }
                break
            }
            self.idle.removeFirst()
            actions.append(self.startClosing(oldest))
        }
        return actions
    }

    /// Connections that are not being closed: the ones the pool keeps or is about to.
    var keptCount: Int {
        self.connections.values.count { $0.state != .closing }
    }

    mutating func startOpening() -> ConnectionID {
        self.nextConnectionID += 1
        self.connections[self.nextConnectionID] = ConnectionRecord(state: .opening, openedAt: nil)
        return self.nextConnectionID
    }

    mutating func startClosing(_ connection: ConnectionID) -> Action {
        self.connections[connection]?.state = .closing
        return .close(connection)
    }

    mutating func finishIfDrained() -> [Action] {
        guard self.lifecycle == .closing, self.connections.isEmpty else { return [] }
        self.lifecycle = .closed
        return [.shutdownDone]
    }

    func isTooOld(_ connection: ConnectionID, now: Instant) -> Bool {
        guard let maxAge = self.maxConnectionAge, let openedAt = self.connections[connection]?.openedAt else {
            return false
        }
        return openedAt.duration(to: now) >= maxAge
    }

    func count(_ state: ConnectionState) -> Int {
        self.connections.values.count { $0.state == state }
    }
}
