import DequeModule
import Logging
import ServiceLifecycle

extension PoolActor {
    /// What ``run()`` receives: work to start in its task group, and the results of that work.
    enum Event: Sendable {
        case start(Work)
        case connected(StateMachine.ConnectionID, Factory.Connection)
        case connectFailed(StateMachine.ConnectionID, any Error)
        case validated(StateMachine.ConnectionID, passed: Bool)
        case closed(StateMachine.ConnectionID)
        case timeoutTimerFired
        case backoffTimerFired
        case idleTimerFired
        case closeRequested
    }

    /// A child task of ``run()``.
    enum Work: Sendable {
        case connect(StateMachine.ConnectionID)
        case validate(StateMachine.ConnectionID, Factory.Connection)
        case close(StateMachine.ConnectionID, Factory.Connection)
        case timeoutTimer(deadline: C.Instant)
        case backoffTimer(deadline: C.Instant)
        case idleTimer(deadline: C.Instant)
    }

    /// Owns connection attempts, timers and closes. Until it runs, acquirers wait.
    ///
    /// Returns after ``close()`` or graceful shutdown once every connection is closed. When
    /// its task is cancelled instead, it fails the waiters, closes idle connections and
    /// returns once its child tasks finish; connections still leased are closed by the
    /// callers that return them.
    public func run() async throws {
        precondition(!self.hasRun, "PoolActor.run() must be called once")
        self.hasRun = true
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await event in self.events {
                    self.handle(event, in: &group)
                }
                if self.stateMachine.lifecycle != .closed {
                    self.abandon(in: &group)
                }
                // Only a timer can still be pending; nothing waits for it any more.
                group.cancelAll()
            }
        } onGracefulShutdown: { [eventSink] in
            eventSink.yield(.closeRequested)
        }
        self.logger.info("pool.closed")
    }

    private func handle(_ event: Event, in group: inout DiscardingTaskGroup) {
        let now = self.clock.now
        switch event {
        case .start(let work):
            self.start(work, in: &group)
        case .connected(let id, let connection):
            self.open[id] = connection
            self.logger.debug("pool.connected", metadata: ["pool.connection_id": "\(id)"])
            self.apply(self.stateMachine.connectionEstablished(id, now: now))
        case .connectFailed(let id, let error):
            self.apply(self.stateMachine.connectFailed(id, now: now))
            let attempt = max(self.stateMachine.consecutiveFailures, 1)
            self.logger.warning(
                "pool.connect_failed",
                metadata: ["pool.attempt": "\(attempt)", "error": "\(String(describing: error))"]
            )
            self.observer.connectFailed(error: error, attempt: attempt)
        case .validated(let id, let passed):
            if !passed {
                self.logger.info("pool.validation_failed", metadata: ["pool.connection_id": "\(id)"])
            }
            self.apply(self.stateMachine.validationResult(id, passed: passed, now: now))
        case .closed(let id):
            self.apply(self.stateMachine.connectionClosed(id, now: now))
        case .timeoutTimerFired:
            self.apply(self.stateMachine.timeoutTimerFired(now: now))
        case .backoffTimerFired:
            self.apply(self.stateMachine.backoffTimerFired(now: now))
        case .idleTimerFired:
            self.apply(self.stateMachine.idleTimerFired(now: now))
        case .closeRequested:
            self.close()
        }
    }

    /// Starts `work` as a child task that reports back through the event stream. If the stream
    /// has ended (``run()`` was cancelled), a task left holding a connection closes it.
    private func start(_ work: Work, in group: inout DiscardingTaskGroup) {
        let factory = self.factory
        let clock = self.clock
        let sink = self.eventSink
        switch work {
        case .connect(let id):
            group.addTask {
                do {
                    let connection = try await factory.connect()
                    if case .terminated = sink.yield(.connected(id, connection)) {
                        await factory.close(connection)
                    }
                } catch {
                    sink.yield(.connectFailed(id, error))
                }
            }
        case .validate(let id, let connection):
            group.addTask {
                let passed = await factory.validate(connection)
                if case .terminated = sink.yield(.validated(id, passed: passed)) {
                    await factory.close(connection)
                }
            }
        case .close(let id, let connection):
            group.addTask {
                await factory.close(connection)
                sink.yield(.closed(id))
            }
        case .timeoutTimer(let deadline):
            group.addTask {
                guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
                sink.yield(.timeoutTimerFired)
            }
        case .backoffTimer(let deadline):
            group.addTask {
                guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
                sink.yield(.backoffTimerFired)
            }
        case .idleTimer(let deadline):
            group.addTask {
                guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
                sink.yield(.idleTimerFired)
            }
        }
    }

    /// ``run()`` was cancelled before the pool finished closing: answer the waiters, close
    /// what is idle. Work already started closes what it holds when it finds the stream ended.
    private func abandon(in group: inout DiscardingTaskGroup) {
        self.logger.warning("pool.run_cancelled", metadata: ["pool.active": "\(self.stateMachine.statistics.active)"])
        self.eventSink.finish()
        self.apply(self.stateMachine.close())
        let factory = self.factory
        for connection in self.orphans {
            group.addTask { await factory.close(connection) }
        }
        self.orphans.removeAll()
    }

    /// Performs the state machine's actions, in order, without suspending.
    func apply(_ actions: [StateMachine.Action]) {
        var pending = Deque(actions)
        while let action = pending.popFirst() {
            switch action {
            case .lease(let id, let request, let waited):
                guard let connection = self.open[id] else { preconditionFailure("a leased connection must be open") }
                if self.waiters.resume(request, returning: Lease(id: id, connection: connection)) {
                    self.observer.acquired(waited: waited)
                } else {
                    // The caller was cancelled while the connection was on its way: pass it on.
                    pending.append(contentsOf: self.stateMachine.connectionReleased(id, failed: false, now: self.clock.now))
                }
            case .fail(let request, let error):
                self.waiters.resume(request, throwing: error)
                if error.code == .poolAcquireTimeout {
                    self.logger.debug("pool.acquire_timeout")
                    self.observer.acquireTimedOut()
                }
            case .connect(let id):
                self.eventSink.yield(.start(.connect(id)))
            case .validate(let id):
                guard let connection = self.open[id] else { preconditionFailure("a validated connection must be open") }
                self.eventSink.yield(.start(.validate(id, connection)))
            case .close(let id):
                guard let connection = self.open.removeValue(forKey: id) else {
                    preconditionFailure("a closed connection must be open")
                }
                if case .terminated = self.eventSink.yield(.start(.close(id, connection))) {
                    self.orphans.append(connection)
                    pending.append(contentsOf: self.stateMachine.connectionClosed(id, now: self.clock.now))
                }
            case .scheduleTimeout(let deadline):
                self.eventSink.yield(.start(.timeoutTimer(deadline: deadline)))
            case .scheduleReconnect(let delay):
                self.eventSink.yield(.start(.backoffTimer(deadline: self.clock.now.advanced(by: delay))))
            case .scheduleIdleCheck(let deadline):
                self.eventSink.yield(.start(.idleTimer(deadline: deadline)))
            case .shutdownDone:
                self.eventSink.finish()
            }
        }
        self.publishStatistics()
    }

    private func publishStatistics() {
        let statistics = self.stateMachine.statistics
        guard statistics != self.lastStatistics else { return }
        self.lastStatistics = statistics
        self.observer.statisticsChanged(statistics)
    }
}
