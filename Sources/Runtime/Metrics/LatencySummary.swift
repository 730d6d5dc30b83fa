/// Exact latency percentiles of one histogram series, from its HdrHistogram.
///
/// Values are within the histogram's precision (0.1 % with the default three significant
/// digits) of the true percentile, with a resolution of one microsecond; ``max`` is the
/// largest recorded value itself. Latencies above the tracked range count as its upper end
/// (see ``MetricsActor/Configuration/highestTrackableLatency``).
///
/// ## Coding
/// Encoded for JSON reports as numbers of seconds, the unit Prometheus uses:
/// `{"count": 1000, "p50_seconds": 0.5, "p90_seconds": 0.9, "p95_seconds": 0.95,
/// "p99_seconds": 0.99, "p999_seconds": 0.999, "max_seconds": 1.0}`. Decoding rounds to the
/// nearest nanosecond, so a summary round-trips exactly.
public struct LatencySummary: Sendable, Codable, Equatable {
    /// How many latencies were recorded.
    public var count: UInt64
    /// The median.
    public var p50: Duration
    /// The 90th percentile.
    public var p90: Duration
    /// The 95th percentile.
    public var p95: Duration
    /// The 99th percentile.
    public var p99: Duration
    /// The 99.9th percentile.
    public var p999: Duration
    /// The largest recorded latency.
    public var max: Duration

    /// A summary with the given values.
    public init(
        count: UInt64,
        p50: Duration,
        p90: Duration,
        p95: Duration,
        p99: Duration,
        p999: Duration,
        max: Duration
    ) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }

    /// The summary of a series with no recorded latency.
    public static let empty = LatencySummary(
        count: 0,
        p50: .zero,
        p90: .zero,
        p95: .zero,
        p99: .zero,
        p999: .zero,
        max: .zero
    )

    private enum CodingKeys: String, CodingKey {
        case count
        case p50 = "p50_seconds"
        case p90 = "p90_seconds"
        case p95 = "p95_seconds"
        case p99 = "p99_seconds"
        case p999 = "p999_seconds"
        case max = "max_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func duration(_ key: CodingKeys) throws -> Duration {
            let seconds = try container.decode(Double.self, forKey: key)
            guard seconds.isFinite, seconds >= 0, seconds < Double(Int64.max) / 1e9 else {
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: container,
                    debugDescription: "expected a non-negative number of seconds"
                )
            }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        self.count = try container.decode(UInt64.self, forKey: .count)
        self.p50 = try duration(.p50)
        self.p90 = try duration(.p90)
        self.p95 = try duration(.p95)
        self.p99 = try duration(.p99)
        self.p999 = try duration(.p999)
        self.max = try duration(.max)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.count, forKey: .count)
        try container.encode(self.p50.seconds, forKey: .p50)
        try container.encode(self.p90.seconds, forKey: .p90)
        try container.encode(self.p95.seconds, forKey: .p95)
        try container.encode(self.p99.seconds, forKey: .p99)
        try container.encode(self.p999.seconds, forKey: .p999)
        try container.encode(self.max.seconds, forKey: .max)
    }
}
