import NIOCore

extension LoopWorker {
    // MARK: Closed loop

    /// One virtual user: send, wait for the answer, send again until the run ends.
    func runVirtualUser(_ user: Int) {
        let now = NIODeadline.now().uptimeNanoseconds
        guard now < self.plan.end else {
            self.activeUsers -= 1
            return
        }
        self.sendWebhook(on: user, due: now) { result in
            if case .failure(let error) = result, error == .connectFailed {
                // The server is not accepting connections: do not spin.
                self.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) { self.runVirtualUser(user) }
            } else {
                self.runVirtualUser(user)
            }
        }
    }

    // MARK: Open loop

    /// Sends every due arrival a free connection can take, then sleeps until the next one.
    ///
    /// A due arrival with no free connection stays in the backlog and leaves as soon as an
    /// answer frees one; its latency still counts from its due time.
    func dispatch() {
        guard var schedule = self.schedule else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        if now >= self.plan.end {
            if !self.arrivalsClosed {
                // Arrivals due before the end but never sent are dropped.
                self.arrivalsClosed = true
                self.statistics.droppedSends += schedule.undispatched
            }
            self.checkFinished()
            return
        }
        while !self.idleConnections.isEmpty, let arrival = schedule.next(at: now) {
            let connection = self.idleConnections.removeLast()
            self.schedule = schedule
            self.sendWebhook(on: connection, due: arrival.due) { _ in
                self.idleConnections.append(connection)
                self.dispatch()
            }
        }
        self.schedule = schedule
        if !self.idleConnections.isEmpty {
            self.wake(at: schedule.nextWakeUp(after: now) ?? self.plan.end)
        }
    }

    private func wake(at time: UInt64) {
        if let pending = self.wakeAt, pending <= time { return }
        self.wakeAt = time
        let now = NIODeadline.now().uptimeNanoseconds
        self.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(time > now ? time - now : 0))) {
            if self.wakeAt == time { self.wakeAt = nil }
            self.dispatch()
        }
    }
}
