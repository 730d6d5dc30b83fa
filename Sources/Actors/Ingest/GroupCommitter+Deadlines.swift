import HeapModule

extension GroupCommitter {
    /// What a webhook submitted with ``submit(_:timeout:)`` is failed with once `timeout` has
    /// passed without its batch being answered (HTTP 503 with `Retry-After`).
    public static func commitTimedOut(after timeout: Duration) -> ServiceError {
        ServiceError(.unavailable, "the store did not commit within \(timeout)")
    }

    /// Records `deadline`; returns the expiry loop to resume when it must look earlier than
    /// it meant to (no alarm set, or a later one). O(log n); with one timeout for every
    /// webhook, deadlines arrive in order and never wake the loop while an alarm is set.
    static func addDeadline(_ deadline: Deadline, to state: inout State) -> CheckedContinuation<Void, Never>? {
        // Entries of answered waiters outnumber the live ones: drop them (amortised O(1) per
        // deadline, as each entry is dropped once).
        if state.deadlines.count >= 2 * max(state.waiters.count, 64) {
            let waiters = state.waiters
            state.deadlines.removeAll { waiters[$0.id] == nil }
        }
        state.deadlines.insert(deadline)
        if let alarm = state.alarm, alarm <= deadline.offset { return nil }
        state.alarm = deadline.offset
        return Self.takeExpiry(&state)
    }

    /// The expiry loop, a child of ``run()``: sleeps until the alarm (the earliest deadline it
    /// knows of), fails every waiter whose deadline has passed, and sets the alarm to the next
    /// live deadline, or waits for one. Ends when ``run()`` is cancelled.
    func expireWaiters() async {
        while !Task.isCancelled {
            let now = self.deadlineClock.now()
            let (expired, alarm) = self.state.withLock { state -> ([Waiter], Duration?) in
                // Woken before the alarm: a submission set an earlier one; nothing is due yet.
                if let alarm = state.alarm, alarm > now { return ([], alarm) }
                return (Self.takeExpired(&state, now: now), state.alarm)
            }
            for waiter in expired {
                waiter.continuation.resume(throwing: Self.commitTimedOut(after: waiter.timeout ?? .zero))
            }
            await self.waitForExpiry(alarm: alarm)
        }
    }

    /// Removes the waiters whose deadline is `now` or earlier, queued (their queue entries
    /// become tombstones) or in flight (their batch's answer then finds no one to resume), and
    /// the entries of answered waiters ahead of the next live deadline, which becomes the alarm.
    private static func takeExpired(_ state: inout State, now: Duration) -> [Waiter] {
        var expired: [Waiter] = []
        while let first = state.deadlines.min, first.offset <= now || state.waiters[first.id] == nil {
            state.deadlines.removeMin()
            guard let waiter = state.waiters.removeValue(forKey: first.id) else { continue }
            if waiter.queued { state.queued -= 1 }
            expired.append(waiter)
        }
        state.alarm = state.deadlines.min?.offset
        return expired
    }

    /// Sleeps until `alarm` on the committer's clock (forever when nil), or less when a
    /// submission sets an earlier alarm or the loop is cancelled. The timer is a child task
    /// only so that an earlier deadline can interrupt it: one per alarm, none per webhook.
    private func waitForExpiry(alarm: Duration?) async {
        guard let alarm else { return await self.waitForExpiryWake() }
        await withTaskGroup(of: Void.self) { timer in
            timer.addTask {
                do {
                    try await self.deadlineClock.sleep(alarm)
                } catch {
                    return  // interrupted: the loop is awake already
                }
                self.wakeExpiry()
            }
            await self.waitForExpiryWake()
            timer.cancelAll()
        }
    }

    private func waitForExpiryWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let awake = self.state.withLock { state -> Bool in
                    if state.expiryWoken || Task.isCancelled {
                        state.expiryWoken = false
                        return true
                    }
                    state.expiry = continuation
                    return false
                }
                if awake { continuation.resume() }
            }
        } onCancel: {
            self.wakeExpiry()
        }
    }

    private func wakeExpiry() {
        self.state.withLock { Self.takeExpiry(&$0) }?.resume()
    }

    /// The waiting expiry loop, to be resumed by the caller; when it is not waiting, its next
    /// wait returns at once.
    private static func takeExpiry(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard let expiry = state.expiry else {
            state.expiryWoken = true
            return nil
        }
        state.expiry = nil
        return expiry
    }
}
