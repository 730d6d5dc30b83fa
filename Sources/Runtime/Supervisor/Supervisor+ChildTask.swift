// `TaskLocals.gracefulShutdownManager` and `GracefulShutdownManager` are swift-service-lifecycle's
// SPI (the same types `ServiceGroup` uses to give each service its own graceful shutdown). A
// child must not inherit the graceful shutdown of the task running its supervisor: that would
// tell every child at once on SIGTERM and defeat the ordered shutdown. Each incarnation gets its
// own manager instead, triggered when the supervisor asks that child to stop.
@_spi(TestKit) import ServiceLifecycle

extension Supervisor {
    /// Messages for the loop in ``run()``, the only place that can add tasks to the group.
    enum Message: Sendable {
        /// Run an incarnation in the task group.
        case launchChild(ChildLaunch)
        /// Run a timer in the task group.
        case launchTimer(SupervisorTimerID, deadline: C.Instant, cancellation: SupervisorSignal)
        /// An incarnation's task began running the body.
        case childBegan(name: String, generation: SupervisorGeneration)
        /// An incarnation's task ended.
        case childExited(name: String, generation: SupervisorGeneration, exit: SupervisorChildExit)
        /// A timer's deadline passed.
        case timerFired(SupervisorTimerID)
        /// swift-service-lifecycle asked the supervisor to shut down.
        case gracefulShutdown
    }

    /// Everything the task of one incarnation needs.
    struct ChildLaunch: Sendable {
        var name: String
        var generation: SupervisorGeneration
        var body: @Sendable (ChildContext) async throws -> Void
        var context: ChildContext
        var incarnation: ChildIncarnation
        var mailbox: AsyncStream<Message>.Continuation
    }

    /// Runs one incarnation until its body ends, then reports how it ended.
    ///
    /// The body runs in an inner task group next to a task waiting for the kill signal, so that
    /// this one incarnation can be cancelled without an unstructured task.
    static func runIncarnation(_ launch: ChildLaunch) async {
        let exit = await withTaskGroup(of: SupervisorChildExit?.self) { group in
            group.addTask {
                launch.mailbox.yield(.childBegan(name: launch.name, generation: launch.generation))
                do {
                    try await TaskLocals.$gracefulShutdownManager.withValue(launch.incarnation.gracefulShutdown) {
                        try await launch.body(launch.context)
                    }
                    return .returned
                } catch is CancellationError {
                    return .threw(reason: "cancelled")
                } catch {
                    return .threw(reason: String(describing: error))
                }
            }
            group.addTask {
                await launch.incarnation.kill.wait()
                return nil
            }
            // Either the body ended (and the kill waiter is cancelled), or the kill signal or the
            // cancellation of the supervisor came first (and the body is cancelled): wait for the body.
            var exit: SupervisorChildExit?
            while let result = await group.next() {
                group.cancelAll()
                if let result { exit = result }
            }
            return exit ?? .threw(reason: "cancelled")
        }
        launch.mailbox.yield(.childExited(name: launch.name, generation: launch.generation, exit: exit))
    }

    /// Sleeps on `clock` until `deadline`, then reports the timer, unless cancelled first.
    static func runTimer(
        _ timer: SupervisorTimerID,
        deadline: C.Instant,
        clock: C,
        cancellation: SupervisorSignal,
        mailbox: AsyncStream<Message>.Continuation
    ) async {
        let fired = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await clock.sleep(until: deadline, tolerance: nil)
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                await cancellation.wait()
                return false
            }
            let fired = await group.next() ?? false
            group.cancelAll()
            return fired
        }
        if fired { mailbox.yield(.timerFired(timer)) }
    }
}
