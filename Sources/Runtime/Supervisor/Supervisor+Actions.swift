import Logging

extension Supervisor {
    /// Handles one message of the run loop. Never suspends.
    func receive(_ message: Message, group: inout DiscardingTaskGroup) {
        switch message {
        case .launchChild(let launch):
            group.addTask { await Self.runIncarnation(launch) }
        case .launchTimer(let timer, let deadline, let cancellation):
            guard let mailbox = self.activeRun?.mailbox else { return }
            let clock = self.clock
            group.addTask {
                await Self.runTimer(timer, deadline: deadline, clock: clock, cancellation: cancellation, mailbox: mailbox)
            }
        case .childBegan(let name, let generation):
            self.machine.childBegan(name: name, generation: generation)
        case .childExited(let name, let generation, let exit):
            if self.activeRun?.incarnations[name]?.generation == generation {
                self.activeRun?.incarnations[name] = nil
            }
            self.apply(self.machine.childExited(name: name, generation: generation, exit: exit, now: self.clock.now))
        case .timerFired(let timer):
            guard self.activeRun?.timers.removeValue(forKey: timer) != nil else { return }
            self.apply(self.machine.timerFired(timer, now: self.clock.now))
        case .gracefulShutdown:
            self.shutdown()
        }
    }

    /// Performs the state machine's actions, in order. Never suspends.
    func apply(_ actions: [SupervisorStateMachine<C, SystemRandomNumberGenerator>.Action]) {
        for action in actions {
            switch action {
            case .startChild(let start):
                self.start(start)
            case .requestStop(let request):
                if let incarnation = self.activeRun?.incarnations[request.name], incarnation.generation == request.generation {
                    incarnation.requestStop()
                }
                self.scheduleTimer(request.timeoutTimer, deadline: request.deadline)
                self.logger.debug("child_stop_requested", metadata: self.metadata(child: request.name))
                self.broadcaster.publish(.childStopRequested(child: request.name))
            case .cancelChild(let name, let generation):
                guard let incarnation = self.activeRun?.incarnations[name], incarnation.generation == generation else {
                    continue
                }
                incarnation.kill.signal()
                self.logger.debug("child_cancelled", metadata: self.metadata(child: name))
                self.broadcaster.publish(.childCancelled(child: name))
            case .scheduleRestart(let child, let timer, let deadline, let delay):
                self.scheduleTimer(timer, deadline: deadline)
                var metadata = self.metadata(child: child)
                metadata["delay_s"] = "\(delay.seconds)"
                self.logger.debug("child_restart_scheduled", metadata: metadata)
                self.broadcaster.publish(.restartScheduled(child: child, delay: delay))
            case .cancelTimer(let timer):
                self.activeRun?.timers.removeValue(forKey: timer)?.signal()
            case .reportExit(let child, let reason):
                var metadata = self.metadata(child: child)
                metadata["reason"] = "\(reason)"
                self.logger.debug("child_exited", metadata: metadata)
                self.broadcaster.publish(.childExited(child: child, reason: reason))
            case .reportAlive(let count):
                self.observer.childrenAlive(supervisor: self.name, count: count)
            case .childRemoved(let name):
                self.logger.debug("child_removed", metadata: self.metadata(child: name))
                self.broadcaster.publish(.childRemoved(child: name))
                for waiter in self.removalWaiters.removeValue(forKey: name) ?? [] { waiter.resume() }
            case .escalate(let child, let reason):
                let message = self.escalationMessage(child: child, reason: reason)
                var metadata = self.metadata(child: child)
                metadata["reason"] = "\(message)"
                metadata["max_restarts"] = "\(self.configuration.maxRestarts)"
                metadata["restart_window_s"] = "\(self.configuration.restartWindow.seconds)"
                self.logger.error("supervisor_escalated", metadata: metadata)
                self.observer.supervisorEscalated(supervisor: self.name, reason: message)
                self.broadcaster.publish(.escalated(reason: message))
            case .finish(let outcome):
                self.activeRun?.outcome = outcome
                self.activeRun?.mailbox.finish()
            }
        }
    }

    private func start(_ start: SupervisorStateMachine<C, SystemRandomNumberGenerator>.ChildStart) {
        guard let mailbox = self.activeRun?.mailbox, let spec = self.machine.spec(named: start.name) else { return }
        let incarnation = ChildIncarnation(generation: start.generation)
        self.activeRun?.incarnations[start.name] = incarnation
        let context = ChildContext(name: start.name, restarts: start.restarts, stopSignal: incarnation.stop)
        mailbox.yield(
            .launchChild(
                ChildLaunch(
                    name: start.name,
                    generation: start.generation,
                    body: spec.run,
                    context: context,
                    incarnation: incarnation,
                    mailbox: mailbox
                )
            )
        )
        if let reason = start.restartReason {
            var metadata = self.metadata(child: start.name)
            metadata["reason"] = "\(reason)"
            metadata["restarts"] = "\(start.restarts)"
            self.logger.warning(Logger.Message(stringLiteral: self.configuration.restartLogEvent), metadata: metadata)
            self.observer.childRestarted(supervisor: self.name, child: start.name, reason: reason, restarts: start.restarts)
        }
        self.logger.debug("child_started", metadata: self.metadata(child: start.name))
        self.observer.childStarted(supervisor: self.name, child: start.name)
        self.broadcaster.publish(.childStarted(child: start.name, restarts: start.restarts))
    }

    private func scheduleTimer(_ timer: SupervisorTimerID, deadline: C.Instant) {
        let cancellation = SupervisorSignal()
        self.activeRun?.timers[timer] = cancellation
        self.activeRun?.mailbox.yield(.launchTimer(timer, deadline: deadline, cancellation: cancellation))
    }

    private func metadata(child: String) -> Logger.Metadata {
        [self.configuration.childMetadataKey: "\(child)", "supervisor": "\(self.name)"]
    }
}
