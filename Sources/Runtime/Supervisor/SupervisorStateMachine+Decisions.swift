extension SupervisorStateMachine {
    /// A running incarnation ended without being asked to: decide its fate.
    ///
    /// `failure` is `nil` for a normal exit, else the reason ("killed" or the error's description).
    mutating func handleExit(at index: Int, running: Running, failure: String?, now: Instant, _ actions: inout [Action]) {
        let child = self.children[index]
        if child.isBeingRemoved || child.spec.restart == .temporary {
            self.children[index].state = .stopped
            self.remove(at: index, &actions)
            return
        }
        guard case .running = self.phase else {
            // Stopping: nothing is restarted.
            self.children[index].state = failure.map { .failed(reason: $0) } ?? .stopped
            return
        }
        if let plan = self.plan, plan.members.contains(child.name) {
            // Already part of a group restart.
            self.children[index].state = .stopped
            return
        }
        guard child.spec.restart == .permanent || failure != nil else {
            self.children[index].state = .stopped  // transient, returned normally
            return
        }
        let reason = failure ?? "normal"
        guard self.recordRestart(now: now) else {
            self.escalate(at: index, reason: reason, &actions)
            return
        }
        let stable = running.since.duration(to: now) >= self.configuration.resetBackoffAfter
        self.children[index].consecutiveFailures = stable ? 1 : child.consecutiveFailures + 1
        let delay = self.configuration.backoff.delay(
            attempt: self.children[index].consecutiveFailures,
            using: &self.generator
        )
        switch self.configuration.strategy {
        case .oneForOne:
            let timer = self.makeTimerID()
            self.children[index].state = .restarting(timer: timer, reason: reason)
            actions.append(.scheduleRestart(child: child.name, timer: timer, deadline: now.advanced(by: delay), delay: delay))
        case .oneForAll:
            self.children[index].state = .stopped
            self.planRestart(of: self.children.indices, failed: child.name, reason: reason, delay: delay, &actions)
        case .restForOne:
            self.children[index].state = .stopped
            self.planRestart(of: index..<self.children.endIndex, failed: child.name, reason: reason, delay: delay, &actions)
        }
    }

    /// Starts a group restart of `range`, or widens the one under way (a `restForOne` child
    /// before the current group failed).
    private mutating func planRestart(
        of range: Range<Int>,
        failed: String,
        reason: String,
        delay: Duration,
        _ actions: inout [Action]
    ) {
        // Temporary members are stopped like the others, then removed instead of restarted.
        let members = Set(self.children[range].map(\.name))
        guard var plan = self.plan else {
            self.plan = RestartPlan(failedChild: failed, reason: reason, members: members, delay: delay)
            return
        }
        plan.members.formUnion(members)
        plan.failedChild = failed
        plan.reason = reason
        plan.delay = delay
        if let timer = plan.timer {
            actions.append(.cancelTimer(timer))
            plan.timer = nil
        }
        self.plan = plan
    }

    /// Records a restart at `now`; `false` if that makes more than `maxRestarts` within `restartWindow`.
    private mutating func recordRestart(now: Instant) -> Bool {
        while let oldest = self.restartHistory.first, oldest.duration(to: now) >= self.configuration.restartWindow {
            self.restartHistory.removeFirst()
        }
        self.restartHistory.append(now)
        return self.restartHistory.count <= self.configuration.maxRestarts
    }

    private mutating func escalate(at index: Int, reason: String, _ actions: inout [Action]) {
        let name = self.children[index].name
        self.children[index].state = .failed(reason: reason)
        self.phase = .stopping(.escalation(child: name, reason: reason))
        actions.append(.escalate(child: name, reason: reason))
        actions += self.cancelPendingRestarts()
    }

    /// Drops the group restart and every restart timer (shutdown or escalation).
    mutating func cancelPendingRestarts() -> [Action] {
        var actions: [Action] = []
        if let timer = self.plan?.timer { actions.append(.cancelTimer(timer)) }
        self.plan = nil
        for index in self.children.indices {
            if case .restarting(let timer, _) = self.children[index].state {
                actions.append(.cancelTimer(timer))
                self.children[index].state = .stopped
            }
        }
        return actions
    }

    /// Takes the next step of a group restart or of stopping: ask the last alive child to stop
    /// once no other is ending, and when none is left, schedule the group restart or finish.
    mutating func advance(now: Instant) -> [Action] {
        switch self.phase {
        case .idle:
            return []
        case .running:
            guard let plan = self.plan, plan.timer == nil else { return [] }
            let members = self.children.indices.filter { plan.members.contains(self.children[$0].name) }
            if members.contains(where: { self.children[$0].state.isEnding }) { return [] }
            if let last = members.last(where: { self.children[$0].state.isAlive }) {
                return self.requestStop(at: last, now: now)
            }
            let timer = self.makeTimerID()
            self.plan?.timer = timer
            return [.scheduleRestart(child: plan.failedChild, timer: timer, deadline: now.advanced(by: plan.delay), delay: plan.delay)]
        case .stopping(let cause):
            if self.children.contains(where: \.state.isEnding) { return [] }
            if let last = self.children.lastIndex(where: \.state.isAlive) {
                return self.requestStop(at: last, now: now)
            }
            var actions: [Action] = []
            for index in self.children.indices.reversed() where self.children[index].isBeingRemoved {
                self.remove(at: index, &actions)
            }
            let outcome: Outcome =
                switch cause {
                case .shutdown: .shutdown
                case .escalation(let child, let reason): .escalated(child: child, reason: reason)
                }
            self.phase = .idle(lastOutcome: outcome)
            actions.append(.finish(outcome))
            return actions
        }
    }

    mutating func requestStop(at index: Int, now: Instant) -> [Action] {
        guard case .running(let running) = self.children[index].state, !running.isKilled else { return [] }
        let timer = self.makeTimerID()
        self.children[index].state = .stopping(Stopping(generation: running.generation, timeoutTimer: timer))
        let deadline = now.advanced(by: self.children[index].spec.shutdownTimeout)
        return [
            .requestStop(
                StopRequest(name: self.children[index].name, generation: running.generation, timeoutTimer: timer, deadline: deadline)
            )
        ]
    }

    /// A new incarnation of the child at `index`.
    mutating func launch(_ index: Int, now: Instant, restartReason: String?) -> ChildStart {
        self.nextID += 1
        let generation = SupervisorGeneration(value: self.nextID)
        self.children[index].state = .running(Running(generation: generation, since: now))
        self.children[index].hasRun = true
        return ChildStart(
            name: self.children[index].name,
            generation: generation,
            restarts: self.children[index].restarts,
            restartReason: restartReason
        )
    }

    mutating func makeTimerID() -> SupervisorTimerID {
        self.nextID += 1
        return SupervisorTimerID(value: self.nextID)
    }

    mutating func remove(at index: Int, _ actions: inout [Action]) {
        let name = self.children.remove(at: index).name
        actions.append(.childRemoved(name))
    }

    mutating func reportAliveIfChanged(_ actions: inout [Action]) {
        let alive = self.children.count { $0.state.isAlive }
        guard alive != self.reportedAlive else { return }
        self.reportedAlive = alive
        actions.append(.reportAlive(alive))
    }

    func index(of name: String) -> Int? {
        self.children.firstIndex { $0.name == name }
    }
}
