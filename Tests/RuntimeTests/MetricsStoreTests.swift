import Testing

@testable import Runtime

@Suite("MetricsStore")
struct MetricsStoreTests {
    private func descriptor(
        _ kind: MetricKind,
        _ index: Int,
        _ name: String,
        labels: [Label] = [],
        buckets: [Duration] = []
    ) -> SeriesDescriptor {
        SeriesDescriptor(kind: kind, index: index, name: name, labels: labels, help: "Help.", buckets: buckets)
    }

    @Test("samples land in the series with their index")
    func appliesByIndex() {
        var store = MetricsStore(histogramSignificantDigits: 3, highestTrackableLatency: .seconds(60))
        #expect(store.register(self.descriptor(.counter, 0, "a_total")) == .applied)
        #expect(store.register(self.descriptor(.counter, 1, "b_total")) == .applied)
        #expect(store.register(self.descriptor(.gauge, 0, "c")) == .applied)
        #expect(store.register(self.descriptor(.histogram, 0, "d_seconds", buckets: [.seconds(1)])) == .applied)

        #expect(store.increment(index: 1, amount: 5) == .applied)
        #expect(store.set(index: 0, value: -2.5) == .applied)
        #expect(store.observe(index: 0, duration: .milliseconds(7)) == .applied)

        #expect(store.counterValue(index: 0) == 0)
        #expect(store.counterValue(index: 1) == 5)
        #expect(store.gaugeValue(index: 0) == -2.5)
        #expect(store.summary(index: 0)?.count == 1)
        #expect(store.summary(index: 0)?.max == .milliseconds(7))
    }

    @Test("samples for unregistered series are dropped and reported")
    func unknownSeries() {
        var store = MetricsStore(histogramSignificantDigits: 3, highestTrackableLatency: .seconds(60))
        #expect(store.increment(index: 0, amount: 1) == .unknownSeries(kind: .counter, index: 0))
        #expect(store.set(index: 3, value: 1) == .unknownSeries(kind: .gauge, index: 3))
        #expect(store.observe(index: 0, duration: .zero) == .unknownSeries(kind: .histogram, index: 0))
        #expect(store.counterValue(index: 0) == 0)
        #expect(store.gaugeValue(index: 3) == nil)
        #expect(store.summary(index: 0) == nil)
    }

    @Test("a latency above the tracked range is reported once per series")
    func aboveRangeReportedOnce() {
        var store = MetricsStore(histogramSignificantDigits: 3, highestTrackableLatency: .seconds(1))
        let labels = [Label("route", "slow")]
        _ = store.register(self.descriptor(.histogram, 0, "slow_seconds", labels: labels))
        #expect(store.observe(index: 0, duration: .seconds(2)) == .latencyAboveRange(metric: "slow_seconds", labels: labels))
        #expect(store.observe(index: 0, duration: .seconds(3)) == .applied)
        #expect(store.summary(index: 0)?.count == 2)
        #expect(store.summary(index: 0)?.max == .seconds(1))
    }

    @Test("counters saturate instead of overflowing")
    func counterSaturates() {
        var store = MetricsStore(histogramSignificantDigits: 3, highestTrackableLatency: .seconds(1))
        _ = store.register(self.descriptor(.counter, 0, "big_total"))
        _ = store.increment(index: 0, amount: .max)
        _ = store.increment(index: 0, amount: 1)
        #expect(store.counterValue(index: 0) == .max)
    }
}
