import Prometheus

/// The series the ``MetricsActor`` owns: their values, their HdrHistograms and the Prometheus
/// registry that renders them.
///
/// Synchronous and free of I/O. The actor feeds it the stream's messages in order and acts
/// on the ``Outcome`` (which may ask for a log line); nothing here waits or reads a clock.
/// Series arrive through ``register(_:)`` with dense per-kind indices, so samples find their
/// series by array index.
struct MetricsStore {
    /// What applying a message needs the caller to do.
    enum Outcome: Equatable {
        /// Nothing more.
        case applied
        /// A latency above the tracked range was recorded as the range's upper end; reported
        /// once per series.
        case latencyAboveRange(metric: String, labels: [Label])
        /// A sample for a series that was never registered; it was dropped.
        case unknownSeries(kind: MetricKind, index: Int)
    }

    private struct CounterSeries {
        let descriptor: SeriesDescriptor
        let prometheus: Counter
        var value: Int64 = 0
    }

    private struct GaugeSeries {
        let descriptor: SeriesDescriptor
        let prometheus: Gauge
        /// `nil` until the first `set`.
        var value: Double?
    }

    private struct HistogramSeries {
        let descriptor: SeriesDescriptor
        let prometheus: DurationHistogram
        var latencies: LatencyHistogram
        var reportedAboveRange = false
    }

    private let histogramSignificantDigits: Int
    private let highestTrackableLatency: Duration
    private let registry = PrometheusCollectorRegistry()
    private var counters: [CounterSeries] = []
    private var gauges: [GaugeSeries] = []
    private var histograms: [HistogramSeries] = []
    /// Histogram indices by metric name, for ``summaries(named:)``.
    private var histogramsByName: [String: [Int]] = [:]

    init(histogramSignificantDigits: Int, highestTrackableLatency: Duration) {
        self.histogramSignificantDigits = histogramSignificantDigits
        self.highestTrackableLatency = highestTrackableLatency
    }

    // MARK: Applying messages

    /// Creates a series; it shows in the exposition at zero from now on.
    mutating func register(_ descriptor: SeriesDescriptor) -> Outcome {
        let metric = MetricNameDescriptor(metricName: descriptor.name, unitName: "", helpText: descriptor.help)
        let labels = descriptor.labels.map { ($0.name, $0.value) }
        switch descriptor.kind {
        case .counter:
            assert(descriptor.index == self.counters.count, "counters must be registered in index order")
            let counter = self.registry.makeCounter(descriptor: metric, labels: labels)
            self.counters.append(CounterSeries(descriptor: descriptor, prometheus: counter))
        case .gauge:
            assert(descriptor.index == self.gauges.count, "gauges must be registered in index order")
            let gauge = self.registry.makeGauge(descriptor: metric, labels: labels)
            self.gauges.append(GaugeSeries(descriptor: descriptor, prometheus: gauge))
        case .histogram:
            assert(descriptor.index == self.histograms.count, "histograms must be registered in index order")
            let histogram = self.registry.makeDurationHistogram(
                descriptor: metric,
                labels: labels,
                buckets: descriptor.buckets
            )
            let latencies = LatencyHistogram(
                significantDigits: self.histogramSignificantDigits,
                highestTrackable: self.highestTrackableLatency
            )
            self.histogramsByName[descriptor.name, default: []].append(self.histograms.count)
            self.histograms.append(HistogramSeries(descriptor: descriptor, prometheus: histogram, latencies: latencies))
        }
        return .applied
    }

    mutating func increment(index: Int, amount: Int64) -> Outcome {
        guard self.counters.indices.contains(index) else { return .unknownSeries(kind: .counter, index: index) }
        let (sum, overflow) = self.counters[index].value.addingReportingOverflow(amount)
        self.counters[index].value = overflow ? .max : sum
        self.counters[index].prometheus.increment(by: amount)
        return .applied
    }

    mutating func set(index: Int, value: Double) -> Outcome {
        guard self.gauges.indices.contains(index) else { return .unknownSeries(kind: .gauge, index: index) }
        self.gauges[index].value = value
        self.gauges[index].prometheus.set(to: value)
        return .applied
    }

    mutating func observe(index: Int, duration: Duration) -> Outcome {
        guard self.histograms.indices.contains(index) else { return .unknownSeries(kind: .histogram, index: index) }
        self.histograms[index].prometheus.record(duration)
        let inRange = self.histograms[index].latencies.record(duration)
        if inRange || self.histograms[index].reportedAboveRange {
            return .applied
        }
        self.histograms[index].reportedAboveRange = true
        let descriptor = self.histograms[index].descriptor
        return .latencyAboveRange(metric: descriptor.name, labels: descriptor.labels)
    }

    // MARK: Reading

    /// The Prometheus text exposition of every registered series.
    func exposition() -> String {
        self.registry.emitToString()
    }

    /// The counter's value; 0 for an index never registered.
    func counterValue(index: Int) -> Int64 {
        self.counters.indices.contains(index) ? self.counters[index].value : 0
    }

    /// The gauge's last value; `nil` before the first `set` or for an index never registered.
    func gaugeValue(index: Int) -> Double? {
        self.gauges.indices.contains(index) ? self.gauges[index].value : nil
    }

    /// The histogram's percentiles; `nil` for an index never registered.
    func summary(index: Int) -> LatencySummary? {
        self.histograms.indices.contains(index) ? self.histograms[index].latencies.summary() : nil
    }

    /// Every series of the histogram `name`, ordered by label values.
    func summaries(named name: String) -> [([Label], LatencySummary)] {
        let series = (self.histogramsByName[name] ?? []).map { index in
            (self.histograms[index].descriptor.labels, self.histograms[index].latencies.summary())
        }
        return series.sorted { lhs, rhs in
            lhs.0.lexicographicallyPrecedes(rhs.0) { ($0.name, $0.value) < ($1.name, $1.value) }
        }
    }
}
