/// Everything the actor needs to create a series: sent once per series, when its key is made.
///
/// A class so that the registration case does not widen every message in the sample stream.
final class SeriesDescriptor: Sendable {
    let kind: MetricKind
    /// The index among series of the same kind; see ``SeriesID/index``.
    let index: Int
    let name: String
    let labels: [Label]
    let help: String
    /// Bucket upper bounds; empty unless ``kind`` is `.histogram`.
    let buckets: [Duration]

    init(kind: MetricKind, index: Int, name: String, labels: [Label], help: String, buckets: [Duration]) {
        self.kind = kind
        self.index = index
        self.name = name
        self.labels = labels
        self.help = help
        self.buckets = buckets
    }
}
