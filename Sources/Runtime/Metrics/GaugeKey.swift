/// Identifies one gauge series: a metric name plus its labels.
///
/// Create keys once (at start-up) with ``MetricsRecorder/gauge(_:_:help:)`` and keep them;
/// recording with a key copies an integer and the value into the sample stream.
/// A key only works with the recorder that created it.
public struct GaugeKey: Sendable, Hashable {
    /// The metric name, e.g. `db_pool_waiters`.
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
