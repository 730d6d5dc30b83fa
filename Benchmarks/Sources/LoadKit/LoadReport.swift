import Histogram

/// The JSON report of one run (`--json`), also the input of `--compare`.
///
/// Latencies are in milliseconds. `curve` is the latency-by-percentile curve the plot draws,
/// as HdrHistogram's percentile distribution (5 ticks per half distance).
public struct LoadReport: Codable, Sendable {
    public struct Percentiles: Codable, Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p95: Double
        public var p99: Double
        public var p999: Double
        public var max: Double
        public var mean: Double
        public var count: UInt64

        public init(p50: Double, p90: Double, p95: Double, p99: Double, p999: Double, max: Double, mean: Double, count: UInt64) {
            self.p50 = p50
            self.p90 = p90
            self.p95 = p95
            self.p99 = p99
            self.p999 = p999
            self.max = max
            self.mean = mean
            self.count = count
        }

        /// Percentiles of a histogram of microseconds.
        public init(microseconds histogram: Histogram<UInt64>) {
            func ms(_ value: UInt64) -> Double { Double(value) / 1_000 }
            let empty = histogram.totalCount == 0
            self.p50 = empty ? 0 : ms(histogram.valueAtPercentile(50))
            self.p90 = empty ? 0 : ms(histogram.valueAtPercentile(90))
            self.p95 = empty ? 0 : ms(histogram.valueAtPercentile(95))
            self.p99 = empty ? 0 : ms(histogram.valueAtPercentile(99))
            self.p999 = empty ? 0 : ms(histogram.valueAtPercentile(99.9))
            self.max = empty ? 0 : ms(histogram.max)
            self.mean = empty ? 0 : histogram.mean / 1_000
            self.count = histogram.totalCount
        }
    }

    /// One point of the percentile curve: `percentile` in 0...100, `milliseconds`.
    public struct CurvePoint: Codable, Sendable, Equatable {
        public var percentile: Double
        public var milliseconds: Double

        public init(percentile: Double, milliseconds: Double) {
            self.percentile = percentile
            self.milliseconds = milliseconds
        }
    }

    public struct Requests: Codable, Sendable {
        public var sent: Int
        public var answered: Int
        public var errors: Int
        public var repeats: Int
        public var repeatMismatches: Int
        public var lateSends: Int
        public var maximumLatenessMilliseconds: Double
        public var droppedSends: Int
        /// Answers per second over the measured time.
        public var throughput: Double
        /// Errors (and dropped sends) over all measured requests, in percent.
        public var errorPercent: Double
    }

    public struct Credit: Codable, Sendable {
        public var watched: Int
        public var credited: Int
        public var otherOutcomes: [String: Int]
        public var unresolved: Int
        public var polls: Int
        public var pollErrors: Int
        /// Webhook due → the poll answer that showed `credited` (upper bound).
        public var observed: Percentiles
        /// Webhook due → the service's `processed_at` (lower bound, millisecond stamps).
        public var stamped: Percentiles
    }

    public struct ThresholdResult: Codable, Sendable {
        public var expression: String
        public var actual: Double?
        public var passed: Bool
    }

    /// A short name for tables and plot legends (`--label`).
    public var label: String
    public var target: String
    public var mode: String
    /// Closed loop: virtual users; open loop: connections.
    public var connections: Int
    /// Open loop: the requested rate per second.
    public var rate: Double?
    public var threads: Int
    public var durationSeconds: Double
    public var warmupSeconds: Double
    public var measuredSeconds: Double
    public var signed: String
    public var repeatRate: Double
    public var requests: Requests
    /// Answers by status code (as text, for JSON).
    public var statusCodes: [String: Int]
    /// Requests with no HTTP answer, by kind.
    public var transportErrors: [String: Int]
    public var latency: Percentiles
    public var curve: [CurvePoint]
    public var residentMemory: ResidentMemorySamples?
    /// The server's CPU time during the load (with `--server-pid`).
    public var serverCPU: ServerCPU?
    public var verification: VerificationResult?
    public var credit: Credit?
    public var thresholds: [ThresholdResult]

    /// Whether the run failed a threshold or its verification (with `--verify`, a repeat
    /// answered with another tx_id than its first send also fails the run).
    public var failed: Bool {
        self.thresholds.contains { !$0.passed } || self.verification.map { !$0.passed || self.requests.repeatMismatches > 0 } ?? false
            || self.credit.map { $0.unresolved > 0 || $0.otherOutcomes["missing", default: 0] > 0 } ?? false
    }
}

extension LoadReport {
    /// Builds the report of `outcome`; thresholds are evaluated separately.
    public init(outcome: LoadOutcome, label: String) {
        let configuration = outcome.configuration
        let statistics = outcome.statistics
        self.label = label
        self.target = configuration.target.description
        self.mode = configuration.mode.name
        self.connections = configuration.mode.connections
        if case .open(let rate, _) = configuration.mode { self.rate = rate } else { self.rate = nil }
        self.threads = configuration.threads
        self.durationSeconds = configuration.duration.milliseconds / 1_000
        self.warmupSeconds = configuration.warmup.milliseconds / 1_000
        self.measuredSeconds = outcome.measuredSeconds
        switch configuration.payload.signing {
        case .none: self.signed = "none"
        case .hex: self.signed = "hex"
        case .standard: self.signed = "standard"
        }
        self.repeatRate = configuration.payload.repeatRate
        let failures = statistics.errors + statistics.droppedSends
        let attempts = statistics.answered + statistics.transportErrors.values.reduce(0, +) + statistics.droppedSends
        self.requests = Requests(
            sent: statistics.sent,
            answered: statistics.answered,
            errors: statistics.errors,
            repeats: statistics.repeats,
            repeatMismatches: statistics.repeatMismatches,
            lateSends: statistics.lateSends,
            maximumLatenessMilliseconds: Double(statistics.maximumLatenessMicroseconds) / 1_000,
            droppedSends: statistics.droppedSends,
            throughput: outcome.measuredSeconds > 0 ? Double(statistics.answered) / outcome.measuredSeconds : 0,
            errorPercent: attempts > 0 ? Double(failures) * 100 / Double(attempts) : 0
        )
        self.statusCodes = Dictionary(uniqueKeysWithValues: statistics.statusCodes.map { (String($0.key), $0.value) })
        self.transportErrors = statistics.transportErrors
        self.latency = Percentiles(microseconds: statistics.latency)
        self.curve = Self.curve(statistics.latency)
        self.residentMemory = outcome.residentMemory
        self.serverCPU = outcome.serverCPU
        self.verification = outcome.verification
        self.credit = outcome.credit.map { credit in
            Credit(
                watched: credit.watched, credited: credit.credited, otherOutcomes: credit.otherOutcomes,
                unresolved: credit.unresolved, polls: credit.polls, pollErrors: credit.pollErrors,
                observed: Percentiles(microseconds: credit.observed),
                stamped: Percentiles(microseconds: credit.stamped)
            )
        }
        self.thresholds = []
    }

    /// The percentile distribution of a histogram of microseconds, as HdrHistogram prints it.
    static func curve(_ histogram: Histogram<UInt64>) -> [CurvePoint] {
        guard histogram.totalCount > 0 else { return [] }
        var points: [CurvePoint] = []
        for step in histogram.percentiles(ticksPerHalfDistance: 5) {
            let point = CurvePoint(percentile: step.percentileLevelIteratedTo, milliseconds: Double(step.value) / 1_000)
            if points.last != point { points.append(point) }
            if step.percentileLevelIteratedTo >= 100 { break }
        }
        return points
    }
}
