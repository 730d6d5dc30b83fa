import Synchronization

/// The families and series a recorder has handed out keys for, and the stream their samples
/// go into.
///
/// Registration is synchronous and may happen on any thread. It enforces what Prometheus
/// expects of a family (one type, one help text, one set of label names, one set of buckets),
/// gives each new series the next index of its kind, and sends the actor a registration
/// message. That message is yielded while the lock is held, so it is in the stream before any
/// thread can obtain the key and record a sample with it: the actor always sees a series'
/// registration before its first sample.
final class MetricsCatalog: Sendable {
    /// What every series of one metric name shares.
    private struct Family {
        var kind: MetricKind
        var help: String
        var labelNames: [String]
        var buckets: [Duration]
    }

    private struct SeriesName: Hashable {
        var name: String
        var labels: [Label]
    }

    private struct State {
        var families: [String: Family] = [:]
        var series: [SeriesName: Int] = [:]
        var counters = 0
        var gauges = 0
        var histograms = 0

        mutating func nextIndex(of kind: MetricKind) -> Int {
            switch kind {
            case .counter:
                defer { self.counters += 1 }
                return self.counters
            case .gauge:
                defer { self.gauges += 1 }
                return self.gauges
            case .histogram:
                defer { self.histograms += 1 }
                return self.histograms
            }
        }
    }

    /// The sample stream; the ``MetricsActor`` owns the other end.
    let input: AsyncStream<MetricsMessage>.Continuation
    private let state = Mutex(State())

    init(input: AsyncStream<MetricsMessage>.Continuation) {
        self.input = input
    }

    /// The identity keys issued by this catalog carry.
    var id: ObjectIdentifier { ObjectIdentifier(self) }

    /// Returns the id of the series, registering it (and its family) on first use.
    ///
    /// - Precondition: A family already registered under `name` has the same kind, help text,
    ///   label names and buckets.
    func register(kind: MetricKind, name: String, labels: [Label], help: String, buckets: [Duration]) -> SeriesID {
        let index = self.state.withLock { state -> Int in
            let labelNames = labels.map(\.name)
            if let family = state.families[name] {
                precondition(
                    family.kind == kind,
                    "metric '\(name)' is already registered as a \(family.kind.rawValue), not a \(kind.rawValue)"
                )
                precondition(family.help == help, "metric '\(name)' is already registered with a different help text")
                precondition(
                    family.labelNames == labelNames,
                    "metric '\(name)' is already registered with labels \(family.labelNames), not \(labelNames)"
                )
                precondition(family.buckets == buckets, "histogram '\(name)' is already registered with other buckets")
            } else {
                state.families[name] = Family(kind: kind, help: help, labelNames: labelNames, buckets: buckets)
            }

            let seriesName = SeriesName(name: name, labels: labels)
            if let index = state.series[seriesName] {
                return index
            }
            let index = state.nextIndex(of: kind)
            state.series[seriesName] = index
            let descriptor = SeriesDescriptor(
                kind: kind,
                index: index,
                name: name,
                labels: labels,
                help: help,
                buckets: buckets
            )
            self.input.yield(.register(descriptor))
            return index
        }
        return SeriesID(catalog: self.id, index: index)
    }
}
