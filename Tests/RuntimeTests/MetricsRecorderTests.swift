import Logging
import Testing
import TestSupport

@testable import Runtime

@Suite("MetricsRecorder")
struct MetricsRecorderTests {
    @Test("keys keep their labels sorted by name")
    func labelsSorted() {
        let metrics = MetricsActor(logger: .silent("metrics-test"))
        let key = metrics.recorder.counter("test_sorted_total", [("method", "GET"), ("code", "200")], help: "Sorted.")
        #expect(key.name == "test_sorted_total")
        #expect(key.labels == [Label("code", "200"), Label("method", "GET")])
    }

    @Test("the same name and labels give the same key, in any label order")
    func sameSeriesSameKey() {
        let recorder = MetricsActor(logger: .silent("metrics-test")).recorder
        let first = recorder.counter("test_same_total", [("a", "1"), ("b", "2")], help: "Same.")
        let second = recorder.counter("test_same_total", [("b", "2"), ("a", "1")], help: "Same.")
        let other = recorder.counter("test_same_total", [("a", "1"), ("b", "3")], help: "Same.")
        #expect(first == second)
        #expect(first != other)
        #expect(first.series.index != other.series.index)
    }

    @Test("each kind numbers its series from zero")
    func indicesPerKind() {
        let recorder = MetricsActor(logger: .silent("metrics-test")).recorder
        let counter = recorder.counter("test_a_total", help: "A.")
        let gauge = recorder.gauge("test_b", help: "B.")
        let histogram = recorder.histogram("test_c_seconds", help: "C.")
        let secondCounter = recorder.counter("test_d_total", help: "D.")
        #expect([counter.series.index, gauge.series.index, histogram.series.index, secondCounter.series.index] == [0, 0, 0, 1])
    }

    @Test("the disabled recorder validates keys and drops samples")
    func disabledRecorder() {
        let recorder = MetricsRecorder.disabled
        let key = recorder.counter("test_disabled_total", [("z", "1"), ("a", "2")], help: "Disabled.")
        #expect(key.labels.map(\.name) == ["a", "z"])
        #expect(key.series.catalog == nil)
        recorder.increment(key)
        recorder.set(recorder.gauge("test_disabled", help: "Disabled."), to: 1)
        recorder.observe(recorder.histogram("test_disabled_seconds", help: "Disabled."), .seconds(1))
    }

    @Test("metric and label names follow the Prometheus rules")
    func nameRules() {
        #expect(MetricNaming.isValidMetricName("http_requests_total"))
        #expect(MetricNaming.isValidMetricName("ns:sub_metric2"))
        #expect(!MetricNaming.isValidMetricName("2xx_total"))
        #expect(!MetricNaming.isValidMetricName("bad-name"))
        #expect(!MetricNaming.isValidMetricName(""))
        #expect(MetricNaming.isValidLabelName("code"))
        #expect(!MetricNaming.isValidLabelName("a:b"))
        #expect(!MetricNaming.isValidLabelName("9a"))
    }

    @Test("a counter name without _total stops the process")
    func counterNeedsTotal() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRecorder.disabled.counter("test_requests", help: "Requests.")
        }
    }

    @Test("one name with two help texts stops the process")
    func helpMismatch() async {
        await #expect(processExitsWith: .failure) {
            let recorder = MetricsActor(logger: .silent("metrics-test")).recorder
            _ = recorder.gauge("test_help", help: "One.")
            _ = recorder.gauge("test_help", [("a", "b")], help: "Two.")
        }
    }

    @Test("one name with two kinds stops the process")
    func kindMismatch() async {
        await #expect(processExitsWith: .failure) {
            let recorder = MetricsActor(logger: .silent("metrics-test")).recorder
            _ = recorder.gauge("test_kind_total", help: "Kind.")
            _ = recorder.counter("test_kind_total", help: "Kind.")
        }
    }

    @Test("one name with two label sets stops the process")
    func labelNamesMismatch() async {
        await #expect(processExitsWith: .failure) {
            let recorder = MetricsActor(logger: .silent("metrics-test")).recorder
            _ = recorder.counter("test_labels_total", [("a", "1")], help: "Labels.")
            _ = recorder.counter("test_labels_total", help: "Labels.")
        }
    }

    @Test("a histogram may not use the label le")
    func histogramLeLabel() async {
        await #expect(processExitsWith: .failure) {
            _ = MetricsRecorder.disabled.histogram("test_le_seconds", [("le", "1")], help: "Le.")
        }
    }

    @Test("a key of one recorder cannot record into another")
    func foreignKey() async {
        await #expect(processExitsWith: .failure) {
            let key = MetricsRecorder.disabled.counter("test_foreign_total", help: "Foreign.")
            MetricsActor(logger: .silent("metrics-test")).recorder.increment(key)
        }
    }
}
