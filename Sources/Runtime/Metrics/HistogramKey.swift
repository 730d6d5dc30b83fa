/// Identifies one latency histogram series: a metric name (in seconds, e.g.
/// `http_request_duration_seconds`) plus its labels.
///
/// Create keys once (at start-up) with ``MetricsRecorder/histogram(_:_:help:buckets:)`` and
/// keep them; recording with a key copies an integer and the duration into the sample stream.
/// A key only works with the recorder that created it.
public struct HistogramKey: Sendable, Hashable {
    /// The metric name, e.g. `http_request_duration_seconds`.
    public let name: String
    /// The series' labels, sorted by name.
    public let labels: [Label]
    /// Where the series lives in the recorder that created the key.
    let series: SeriesID

    init(name: String, labels: [Label], series: SeriesID) {
        self.name = name
        self.labels = labels
        self.series = series
    }
}
