/// The position of a series in the catalog that registered it.
///
/// Counters, gauges and histograms are numbered separately, densely from zero, in the order
/// they were registered; the actor keeps one array per kind and indexes it with ``index``.
struct SeriesID: Sendable, Hashable {
    /// The catalog that issued the id; `nil` for keys of ``MetricsRecorder/disabled``.
    var catalog: ObjectIdentifier?
    /// The series' index among the series of its kind.
    var index: Int
}
