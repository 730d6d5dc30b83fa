/// Creates metric keys and records samples for a ``MetricsActor``, from any thread, without
/// waiting.
///
/// Recording yields a small message into the actor's unbounded sample stream: no `await`, no
/// lock shared with the actor's work, no allocation once the stream's buffer has grown to the
/// working size, and no string work (keys carry their series index). The actor applies samples
/// in the order they were yielded.
///
/// ```swift
/// let requests = recorder.counter("http_requests_total", [("method", "POST"), ("code", "202")],
///                                 help: "HTTP requests by method, path and status code.")
/// recorder.increment(requests)
/// ```
///
/// Keys are made once, at start-up. Making a key registers its series with the actor, so it is
/// in the exposition (at zero) as soon as the actor has processed the registration, even if
/// nothing is ever recorded with it. Every series of one metric name must use the same help
/// text, kind, label names and (for histograms) buckets; breaking that, or a malformed name,
/// stops the process at the call that made the key.
public struct MetricsRecorder: Sendable {
    /// `nil` for ``disabled``.
    private let catalog: MetricsCatalog?

    init(catalog: MetricsCatalog?) {
        self.catalog = catalog
    }

    /// A recorder that drops everything (for components used without metrics).
    ///
    /// Its keys are still validated, so code that runs with it also runs with a real recorder;
    /// but a key it made cannot be used with another recorder.
    public static let disabled = MetricsRecorder(catalog: nil)

    /// Latency bucket upper bounds from 0.5 ms to 10 s, in the usual Prometheus 1-2.5-5 steps:
    /// 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10 s.
    public static let defaultLatencyBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500),
        .seconds(5), .seconds(10),
    ]

    // MARK: Keys

    /// The key of a counter series.
    ///
    /// - Parameters:
    ///   - name: The metric name; it must end in `_total` (checked).
    ///   - labels: Label names and values; order does not matter.
    ///   - help: The `# HELP` text, the same for every series of `name`.
    public func counter(_ name: String, _ labels: [(String, String)] = [], help: String) -> CounterKey {
        let (name, labels, series) = self.register(.counter, name, labels, help: help, buckets: [])
        return CounterKey(name: name, labels: labels, series: series)
    }

    /// The key of a gauge series.
    public func gauge(_ name: String, _ labels: [(String, String)] = [], help: String) -> GaugeKey {
        let (name, labels, series) = self.register(.gauge, name, labels, help: help, buckets: [])
        return GaugeKey(name: name, labels: labels, series: series)
    }

    /// The key of a latency histogram series.
    ///
    /// Each series keeps Prometheus buckets (for `/metrics`) and an HdrHistogram (for exact
    /// percentiles, ``MetricsActor/summary(_:)``).
    ///
    /// - Parameter buckets: Upper bounds, strictly increasing; the same for every series of `name`.
    public func histogram(
        _ name: String,
        _ labels: [(String, String)] = [],
        help: String,
        buckets: [Duration] = MetricsRecorder.defaultLatencyBuckets
    ) -> HistogramKey {
        let buckets = MetricNaming.checkedBuckets(buckets, metric: name)
        let (name, labels, series) = self.register(.histogram, name, labels, help: help, buckets: buckets)
        return HistogramKey(name: name, labels: labels, series: series)
    }

    private func register(
        _ kind: MetricKind,
        _ name: String,
        _ labels: [(String, String)],
        help: String,
        buckets: [Duration]
    ) -> (String, [Label], SeriesID) {
        let name = MetricNaming.checkedName(name, kind: kind)
        let labels = MetricNaming.checkedLabels(labels, metric: name, kind: kind)
        guard let catalog = self.catalog else {
            return (name, labels, SeriesID(catalog: nil, index: -1))
        }
        let series = catalog.register(kind: kind, name: name, labels: labels, help: help, buckets: buckets)
        return (name, labels, series)
    }

    // MARK: Recording

    /// Adds `amount` (at least 0) to a counter. Never waits.
    public func increment(_ key: CounterKey, by amount: Int64 = 1) {
        precondition(amount >= 0, "a counter only goes up")
        guard let catalog = self.catalog else { return }
        Self.checkOwner(key.series, catalog)
        catalog.input.yield(.increment(index: key.series.index, amount: amount))
    }

    /// Sets a gauge. Never waits.
    public func set(_ key: GaugeKey, to value: Double) {
        guard let catalog = self.catalog else { return }
        Self.checkOwner(key.series, catalog)
        catalog.input.yield(.set(index: key.series.index, value: value))
    }

    /// Records one latency in a histogram; negative durations count as zero. Never waits.
    public func observe(_ key: HistogramKey, _ duration: Duration) {
        guard let catalog = self.catalog else { return }
        Self.checkOwner(key.series, catalog)
        catalog.input.yield(.observe(index: key.series.index, duration: max(duration, .zero)))
    }

    @inline(__always)
    private static func checkOwner(_ series: SeriesID, _ catalog: MetricsCatalog) {
        precondition(series.catalog == catalog.id, "metric key was created by a different MetricsRecorder")
    }
}
