import Benchmark
import CricalgoRuntime
import Logging

/// Supervisor restart latency: one iteration kills a running child and waits until its next
/// incarnation runs. Backoff is zero, so this is the supervisor's own cost (state machine,
/// task group, logging of the restart), not a configured delay.
func registerSupervisorBenchmarks() {
    Benchmark(
        "Supervisor_kill_to_running_again",
        configuration: .init(scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 2_000)
    ) { benchmark async throws in
        let (starts, started) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .unbounded)
        let child = ChildSpec(name: "child") { context in
            started.yield(context.restarts)
            await context.shutdownRequested()
        }
        let configuration = Supervisor<ContinuousClock>.Configuration(
            maxRestarts: 1_000_000,
            restartWindow: .seconds(1),
            backoff: Backoff(minimum: .zero, maximum: .zero, jitter: 0)
        )
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let supervisor = Supervisor(name: "bench", configuration: configuration, children: [child], clock: ContinuousClock(), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            var incarnations = starts.makeAsyncIterator()
            _ = await incarnations.next()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                await supervisor.kill("child")
                _ = await incarnations.next()
            }
            benchmark.stopMeasurement()
            await supervisor.shutdown()
            try await group.waitForAll()
        }
    }
}
