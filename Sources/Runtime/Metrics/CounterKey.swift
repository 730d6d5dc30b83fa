/// Identifies one counter series: a metric name ending in `_total` plus its labels.
///
/// Create keys once (at start-up) with ``MetricsRecorder/counter(_:_:help:)`` and keep them;
/// recording with a key copies two integers into the sample stream and does no string work.
/// A key only works with the recorder that created it.
public struct CounterKey: Sendable, Hashable {
    /// The metric name, e.g. `http_requests_total`.
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
