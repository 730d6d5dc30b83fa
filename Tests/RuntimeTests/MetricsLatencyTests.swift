import Foundation
import Testing

@testable import Runtime

@Suite("Metrics latency percentiles")
struct MetricsLatencyTests {
    /// HdrHistogram with three significant digits is within 0.1 % (plus one microsecond of
    /// resolution) of the true value.
    private func expectClose(_ actual: Duration, _ expected: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = abs(Double(actual.nanoseconds - expected.nanoseconds))
        #expect(
            error <= Double(expected.nanoseconds) * 0.001 + 1_000,
            "\(actual) is not within 0.1 % of \(expected)",
            sourceLocation: sourceLocation
        )
    }

    @Test("uniform 1...1000 ms gives the expected percentiles")
    func uniformDistribution() {
        var histogram = LatencyHistogram(significantDigits: 3, highestTrackable: .seconds(3_600))
        for millisecond in (1...1_000).shuffled() {
            histogram.record(.milliseconds(millisecond))
        }
        let summary = histogram.summary()
        #expect(summary.count == 1_000)
        self.expectClose(summary.p50, .milliseconds(500))
        self.expectClose(summary.p90, .milliseconds(900))
        self.expectClose(summary.p95, .milliseconds(950))
        self.expectClose(summary.p99, .milliseconds(990))
        self.expectClose(summary.p999, .milliseconds(999))
        #expect(summary.max == .milliseconds(1_000))
    }

    @Test("a single repeated value is every percentile")
    func constantDistribution() {
        var histogram = LatencyHistogram(significantDigits: 3, highestTrackable: .seconds(60))
        for _ in 0..<500 {
            histogram.record(.microseconds(1_234))
        }
        let summary = histogram.summary()
        for percentile in [summary.p50, summary.p90, summary.p99, summary.p999, summary.max] {
            self.expectClose(percentile, .microseconds(1_234))
        }
    }

    @Test("a long tail shows in the high percentiles only")
    func longTail() {
        var histogram = LatencyHistogram(significantDigits: 3, highestTrackable: .seconds(60))
        for _ in 0..<990 {
            histogram.record(.milliseconds(2))
        }
        for _ in 0..<10 {
            histogram.record(.seconds(2))
        }
        let summary = histogram.summary()
        self.expectClose(summary.p50, .milliseconds(2))
        self.expectClose(summary.p99, .milliseconds(2))
        self.expectClose(summary.p999, .seconds(2))
        #expect(summary.max == .seconds(2))
    }

    @Test("latencies above the tracked range count as its upper end")
    func aboveRange() {
        var histogram = LatencyHistogram(significantDigits: 3, highestTrackable: .seconds(10))
        let inRange = histogram.record(.seconds(5))
        let aboveRange = histogram.record(.seconds(90))
        #expect(inRange)
        #expect(!aboveRange)
        let summary = histogram.summary()
        #expect(summary.count == 2)
        #expect(summary.max == .seconds(10))
    }

    @Test("sub-microsecond latencies round to the nearest microsecond; negative ones count as zero")
    func rounding() {
        var histogram = LatencyHistogram(significantDigits: 3, highestTrackable: .seconds(1))
        histogram.record(.nanoseconds(1_499))
        #expect(histogram.summary().max == .microseconds(1))
        histogram.record(.nanoseconds(2_500))
        #expect(histogram.summary().max == .microseconds(3))
        histogram.record(.nanoseconds(-5))
        #expect(histogram.count == 3)
    }

    @Test("an empty histogram summarises to zeros")
    func empty() {
        let histogram = LatencyHistogram(significantDigits: 2, highestTrackable: .seconds(1))
        #expect(histogram.summary() == .empty)
    }

    @Test("LatencySummary encodes seconds and round-trips exactly")
    func summaryCoding() throws {
        let summary = LatencySummary(
            count: 1_000,
            p50: .milliseconds(500),
            p90: .microseconds(900_123),
            p95: .nanoseconds(950_000_001),
            p99: .milliseconds(990),
            p999: .milliseconds(999),
            max: .seconds(1)
        )
        let data = try JSONEncoder().encode(summary)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["count", "p50_seconds", "p90_seconds", "p95_seconds", "p99_seconds", "p999_seconds", "max_seconds"])
        #expect(object["p50_seconds"] as? Double == 0.5)
        #expect(object["count"] as? Int == 1_000)
        #expect(try JSONDecoder().decode(LatencySummary.self, from: data) == summary)
    }

    @Test("decoding rejects negative seconds")
    func summaryDecodingRejectsNegative() {
        let json = Data(#"{"count":1,"p50_seconds":-1,"p90_seconds":0,"p95_seconds":0,"p99_seconds":0,"p999_seconds":0,"max_seconds":0}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LatencySummary.self, from: json) }
    }
}
