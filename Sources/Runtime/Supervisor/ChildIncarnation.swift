@_spi(TestKit) import ServiceLifecycle

/// The controls of one running incarnation of a child.
final class ChildIncarnation: Sendable {
    let generation: SupervisorGeneration
    /// Given when the supervisor asks the child to stop gracefully.
    let stop = SupervisorSignal()
    /// Given to cancel the child's task.
    let kill = SupervisorSignal()
    /// The child's own graceful shutdown, triggered together with ``stop``.
    let gracefulShutdown = GracefulShutdownManager()

    init(generation: SupervisorGeneration) {
        self.generation = generation
    }

    func requestStop() {
        self.stop.signal()
        self.gracefulShutdown.shutdownGracefully()
    }
}
