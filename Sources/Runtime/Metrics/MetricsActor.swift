import Logging
import ServiceLifecycle

/// Aggregates counters, gauges and latency histograms, renders the Prometheus exposition and
/// answers percentile queries.
///
/// Nothing on a request path waits for this actor: components record through ``recorder``,
/// which yields samples into an unbounded `AsyncStream` that ``run()`` drains into a
/// ``MetricsStore``. Samples yielded before `run()` starts, or between two runs, wait in the
/// stream and are applied when it runs.
///
/// ## Memory
/// The stream buffer is unbounded so that no sample is ever dropped. Each pending sample
/// takes 32 bytes; the buffer only grows while samples arrive faster than the actor applies
/// them, e.g. before `run()` starts or while it is stopped. A backlog of one million samples
/// is about 32 MB, and the buffer keeps its largest size once grown. The alternative, a
/// bounded buffer, would silently drop samples exactly when the service is under load.
///
/// ## Lifecycle
/// `run()` returns on graceful shutdown or cancellation, after applying every sample recorded
/// before that moment. The stream is deliberately not drained by a child task: cancelling a
/// task that waits on an `AsyncStream` finishes the stream for good, and every later sample
/// would be lost. A restarted `run()` carries on where the last one stopped.
public actor MetricsActor: Service {
    /// How the actor keeps its histograms.
    public struct Configuration: Sendable {
        /// Decimal digits of precision of the HdrHistogram behind each histogram series,
        /// 1...5. Default 3: percentiles within 0.1 % of the true value.
        public var histogramSignificantDigits: Int
        /// The largest latency the HdrHistogram records as itself; longer ones are recorded
        /// as this value (and logged once per series). Prometheus buckets are unaffected.
        /// Default 1 hour.
        public var highestTrackableLatency: Duration

        public init() {
            self.histogramSignificantDigits = 3
            self.highestTrackableLatency = .seconds(3_600)
        }
    }

    /// Which `run()` call, if any, is draining the stream.
    ///
    /// Legal transitions: `idle → running(g)` when `run()` starts (with a generation one
    /// higher than any before); `running(g) → idle` when that run returns.
    private enum RunState {
        case idle
        case running(generation: UInt64)
    }

    /// Creates keys and records samples without waiting on the actor.
    public nonisolated let recorder: MetricsRecorder

    private let logger: Logger
    private let catalogID: ObjectIdentifier
    private let input: AsyncStream<MetricsMessage>.Continuation
    private let messages: AsyncStream<MetricsMessage>
    private var store: MetricsStore
    private var runState = RunState.idle
    private var lastGeneration: UInt64 = 0

    public init(configuration: Configuration = .init(), logger: Logger) {
        precondition(
            (1...5).contains(configuration.histogramSignificantDigits),
            "histogramSignificantDigits must be within 1...5"
        )
        precondition(configuration.highestTrackableLatency > .zero, "highestTrackableLatency must be positive")
        let (messages, input) = AsyncStream.makeStream(of: MetricsMessage.self, bufferingPolicy: .unbounded)
        let catalog = MetricsCatalog(input: input)
        self.recorder = MetricsRecorder(catalog: catalog)
        self.catalogID = catalog.id
        self.logger = logger
        self.input = input
        self.messages = messages
        self.store = MetricsStore(
            histogramSignificantDigits: configuration.histogramSignificantDigits,
            highestTrackableLatency: configuration.highestTrackableLatency
        )
    }

    deinit {
        // Recorders may outlive the actor; from now on their samples are dropped, not buffered.
        self.input.finish()
    }

    // MARK: Running

    /// Applies samples until graceful shutdown or cancellation, then returns once every
    /// sample recorded before that has been applied.
    ///
    /// - Precondition: `run()` is not already running.
    public func run() async {
        guard case .idle = self.runState else {
            preconditionFailure("MetricsActor.run() called while it is already running")
        }
        self.lastGeneration += 1
        let generation = self.lastGeneration
        self.runState = .running(generation: generation)
        self.logger.debug("metrics_started", metadata: ["metrics.generation": "\(generation)"])

        // Owned here and always awaited; not a child task, so cancelling `run()` does not
        // cancel its wait on the stream (which would finish the stream, see the type's docs).
        // Cancellation and graceful shutdown instead queue a stop behind every earlier sample.
        let drain = Task { await self.drain(generation: generation) }
        let input = self.input
        await withTaskCancellationOrGracefulShutdownHandler {
            await drain.value
        } onCancelOrGracefulShutdown: {
            input.yield(.stop(generation: generation))
        }

        self.runState = .idle
        self.logger.debug("metrics_stopped", metadata: ["metrics.generation": "\(generation)"])
    }

    /// Returns once every sample recorded before the call has been applied.
    ///
    /// It works by sending a barrier through the sample stream, so it only returns while (or
    /// once) ``run()`` is running.
    public func flush() async {
        let input = self.input
        await withCheckedContinuation { (barrier: CheckedContinuation<Void, Never>) in
            if case .terminated = input.yield(.barrier(barrier)) {
                barrier.resume()
            }
        }
    }

    private func drain(generation: UInt64) async {
        for await message in self.messages {
            switch message {
            case .stop(let stopped):
                // A stop queued by an earlier run (both cancelled and shut down) is stale.
                if stopped == generation { return }
            case .barrier(let barrier):
                barrier.resume()
            case .register(let descriptor):
                self.handle(self.store.register(descriptor))
            case .increment(let index, let amount):
                self.handle(self.store.increment(index: index, amount: amount))
            case .set(let index, let value):
                self.handle(self.store.set(index: index, value: value))
            case .observe(let index, let duration):
                self.handle(self.store.observe(index: index, duration: duration))
            }
        }
    }

    private func handle(_ outcome: MetricsStore.Outcome) {
        switch outcome {
        case .applied:
            break
        case .latencyAboveRange(let metric, let labels):
            self.logger.warning(
                "metrics_latency_above_range",
                metadata: [
                    "metrics.name": "\(metric)",
                    "metrics.labels": .dictionary(Dictionary(labels.map { ($0.name, .string($0.value)) }) { $1 }),
                ]
            )
        case .unknownSeries(let kind, let index):
            self.logger.error(
                "metrics_sample_for_unknown_series",
                metadata: ["metrics.kind": "\(kind.rawValue)", "metrics.index": "\(index)"]
            )
        }
    }

    // MARK: Reading

    /// Every registered series in the Prometheus text exposition format.
    public func exposition() -> String {
        self.store.exposition()
    }

    /// Percentiles of one histogram series; `nil` if the actor has not processed the key's
    /// registration (or the key belongs to another recorder).
    public func summary(_ key: HistogramKey) -> LatencySummary? {
        guard key.series.catalog == self.catalogID else { return nil }
        return self.store.summary(index: key.series.index)
    }

    /// Percentiles of every series of the histogram `name`, ordered by label values.
    public func summaries(named name: String) -> [([Label], LatencySummary)] {
        self.store.summaries(named: name)
    }

    /// A counter's applied total; 0 before its registration is processed.
    public func counterValue(_ key: CounterKey) -> Int64 {
        guard key.series.catalog == self.catalogID else { return 0 }
        return self.store.counterValue(index: key.series.index)
    }

    /// A gauge's last applied value; `nil` before the first `set` is applied (the exposition
    /// shows a registered gauge as 0 until then).
    public func gaugeValue(_ key: GaugeKey) -> Double? {
        guard key.series.catalog == self.catalogID else { return nil }
        return self.store.gaugeValue(index: key.series.index)
    }
}
