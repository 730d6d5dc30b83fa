/// The Prometheus type of a metric family.
enum MetricKind: String, Sendable, Hashable {
    case counter
    case gauge
    case histogram
}
