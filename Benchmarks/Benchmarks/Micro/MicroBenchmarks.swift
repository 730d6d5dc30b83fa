import Benchmark

/// The micro-benchmarks of cricalgo-runtime's hot-path pieces.
///
/// Wall clock and throughput are reported for people; only malloc counts are committed as
/// thresholds (`Benchmarks/Thresholds/`), since they do not depend on the machine's load. From
/// `Benchmarks/` (the tool reads `./Thresholds`):
///
///     swift package benchmark
///     swift package --allow-writing-to-package-directory \
///         benchmark thresholds update --metric mallocCountTotal
///     scripts/check-mallocs.sh        # the check CI runs
///
/// Names have no spaces or slashes: the tool would never find their threshold files.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 200,
        thresholds: [
            // Allocations are deterministic for synchronous code; async code (actors, streams)
            // may allocate a little differently from run to run.
            .mallocCountTotal: .init(relative: [.p90: 5], absolute: [.p90: 20])
        ]
    )
    registerDomainBenchmarks()
    registerMetricsBenchmarks()
    registerSupervisorBenchmarks()
    registerPoolBenchmarks()
    registerStoreBenchmarks()
    registerWebhookRouteBenchmarks()
    registerCommitterBenchmarks()
}
