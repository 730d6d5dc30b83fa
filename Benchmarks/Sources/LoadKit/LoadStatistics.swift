import Histogram

/// What one event loop measured; loops' statistics are merged into the run's.
///
/// Latencies are recorded in microseconds, from 1 µs to 1 hour, at 3 significant digits.
public struct LoadStatistics: Sendable {
    /// Webhook latency of measured requests (sent or due after the warm-up).
    public var latency = LoadStatistics.makeHistogram()
    /// Answers by HTTP status code.
    public var statusCodes: [Int: Int] = [:]
    /// Requests that got no HTTP answer, by ``LoadError/kind``.
    public var transportErrors: [String: Int] = [:]
    /// Measured requests sent (first sends and repeats).
    public var sent = 0
    /// Measured requests answered (any status).
    public var answered = 0
    /// Measured requests that re-sent an earlier body.
    public var repeats = 0
    /// Repeats answered with a different tx_id than the first send got.
    public var repeatMismatches = 0
    /// Open loop: sends that left later than the tolerance after their due time.
    public var lateSends = 0
    /// Open loop: the largest delay between a due time and the actual send, in microseconds.
    public var maximumLatenessMicroseconds: UInt64 = 0
    /// Open loop: due requests never sent because the run ended first.
    public var droppedSends = 0
    /// Requests answered during the warm-up and the run, for progress reports.
    public var answeredIncludingWarmup = 0
    /// When the first measured request was due, and the last measured answer arrived
    /// (monotonic nanoseconds; 0 when none).
    public var firstMeasuredSend: UInt64 = 0
    public var lastMeasuredAnswer: UInt64 = 0

    public init() {}

    static func makeHistogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Requests that failed: no answer, or an answer other than 2xx.
    public var errors: Int {
        self.transportErrors.values.reduce(0, +) + self.statusCodes.filter { !(200..<300).contains($0.key) }.values.reduce(0, +)
    }

    /// Records one measured answer.
    mutating func recordAnswer(status: Int, latencyNanoseconds: UInt64, answeredAt: UInt64) {
        self.answered += 1
        self.statusCodes[status, default: 0] += 1
        _ = self.latency.record(max(latencyNanoseconds / 1_000, 1))
        self.lastMeasuredAnswer = max(self.lastMeasuredAnswer, answeredAt)
    }

    /// Records one measured request that got no answer.
    mutating func recordFailure(_ error: LoadError, answeredAt: UInt64) {
        self.transportErrors[error.kind, default: 0] += 1
        self.lastMeasuredAnswer = max(self.lastMeasuredAnswer, answeredAt)
    }

    /// Records the send of a measured request; `lateness` is how long after its due time it left.
    mutating func recordSend(due: UInt64, latenessNanoseconds: UInt64, tolerance: UInt64, isRepeat: Bool) {
        self.sent += 1
        if isRepeat { self.repeats += 1 }
        if self.firstMeasuredSend == 0 || due < self.firstMeasuredSend { self.firstMeasuredSend = due }
        if latenessNanoseconds > tolerance {
            self.lateSends += 1
        }
        self.maximumLatenessMicroseconds = max(self.maximumLatenessMicroseconds, latenessNanoseconds / 1_000)
    }

    /// Adds another loop's statistics to these.
    public mutating func merge(_ other: LoadStatistics) {
        self.latency.add(other.latency)
        self.statusCodes.merge(other.statusCodes, uniquingKeysWith: +)
        self.transportErrors.merge(other.transportErrors, uniquingKeysWith: +)
        self.sent += other.sent
        self.answered += other.answered
        self.repeats += other.repeats
        self.repeatMismatches += other.repeatMismatches
        self.lateSends += other.lateSends
        self.maximumLatenessMicroseconds = max(self.maximumLatenessMicroseconds, other.maximumLatenessMicroseconds)
        self.droppedSends += other.droppedSends
        self.answeredIncludingWarmup += other.answeredIncludingWarmup
        if other.firstMeasuredSend != 0 {
            self.firstMeasuredSend = self.firstMeasuredSend == 0 ? other.firstMeasuredSend : min(self.firstMeasuredSend, other.firstMeasuredSend)
        }
        self.lastMeasuredAnswer = max(self.lastMeasuredAnswer, other.lastMeasuredAnswer)
    }
}
