import Histogram

/// An HdrHistogram of latencies in microseconds, for exact percentiles of one series.
///
/// It starts small and grows its range as larger latencies arrive (memory grows with the
/// logarithm of the largest latency: about 40 KB per series up to 10 ms, 190 KB up to an hour
/// at three significant digits). Latencies above `highestTrackable` are recorded as
/// `highestTrackable`, so one absurd sample cannot grow it further.
///
/// This file alone imports `Histogram`; Prometheus has a type of the same name.
struct LatencyHistogram {
    private var histogram: Histogram<UInt64>
    /// The largest value recorded as itself, in microseconds.
    private let highestTrackable: UInt64

    /// - Parameters:
    ///   - significantDigits: Decimal digits of precision, 1...5.
    ///   - highestTrackable: The largest latency recorded as itself, at least 2 µs.
    init(significantDigits: Int, highestTrackable: Duration) {
        precondition((1...5).contains(significantDigits), "histogram precision must be 1...5 significant digits")
        guard let digits = SignificantDigits(rawValue: Int8(significantDigits)) else {
            preconditionFailure("histogram precision must be 1...5 significant digits")
        }
        self.histogram = Histogram<UInt64>(numberOfSignificantValueDigits: digits)
        self.highestTrackable = Swift.max(2, UInt64(Swift.max(highestTrackable.nanoseconds, 0) / 1_000))
    }

    var count: UInt64 { self.histogram.totalCount }

    /// Records one latency, rounded to the microsecond.
    ///
    /// - Returns: `false` if the latency was above the tracked range and was recorded as its
    ///   upper end.
    @discardableResult
    mutating func record(_ duration: Duration) -> Bool {
        let nanoseconds = Swift.max(duration.nanoseconds, 0)
        let microseconds = UInt64(nanoseconds / 1_000 + (nanoseconds % 1_000 >= 500 ? 1 : 0))
        let inRange = microseconds <= self.highestTrackable
        self.histogram.record(inRange ? microseconds : self.highestTrackable)
        return inRange
    }

    func summary() -> LatencySummary {
        guard self.histogram.totalCount > 0 else { return .empty }
        func at(_ percentile: Double) -> Duration {
            .microseconds(Int64(self.histogram.valueAtPercentile(percentile)))
        }
        return LatencySummary(
            count: self.histogram.totalCount,
            p50: at(50),
            p90: at(90),
            p95: at(95),
            p99: at(99),
            p999: at(99.9),
            max: .microseconds(Int64(self.histogram.maxRecorded))
        )
    }
}
