/// A k6-style pass/fail criterion on a report: `p99<10ms`, `p99.9<=20ms`, `errors<0.1%`,
/// `rps>=1000`, `rss<100MB`, `credited_p99<50ms`.
///
/// | metric | meaning | units |
/// |---|---|---|
/// | `p50` `p90` `p95` `p99` `p99.9` `max` `mean` | webhook latency | `us`, `ms` (default), `s` |
/// | `credited_p50` … `credited_max` | webhook → credited (observed) | as above |
/// | `errors`, `dropped` | share of measured requests | `%`, or a fraction (`0.001`) |
/// | `rps` | answers per second | — |
/// | `rss` | the server's largest resident size | `MB` (default), `KB`, `GB` (powers of 1024) |
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    enum Metric: Sendable, Equatable {
        case latency(Statistic)
        case creditLatency(Statistic)
        case errorRate
        case droppedRate
        case throughput
        case residentMegabytes
    }

    enum Statistic: Sendable, Equatable {
        case percentile(Double)
        case max
        case mean
    }

    enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
        case less = "<"
        case greater = ">"

        func holds(_ actual: Double, _ limit: Double) -> Bool {
            switch self {
            case .less: actual < limit
            case .lessOrEqual: actual <= limit
            case .greater: actual > limit
            case .greaterOrEqual: actual >= limit
            }
        }
    }

    /// The text as given.
    public let expression: String
    let metric: Metric
    let comparison: Comparison
    /// In the metric's canonical unit: milliseconds, percent, answers per second or MB.
    let limit: Double

    /// - Throws: ``LoadError/badArgument`` naming what is wrong with `text`.
    public init(parsing text: String) throws(LoadError) {
        let compact = text.filter { $0 != " " }
        guard let comparison = Comparison.allCases.first(where: { compact.contains($0.rawValue) }),
              let range = compact.range(of: comparison.rawValue)
        else {
            throw LoadError.badArgument.with("threshold \(text) needs <, <=, > or >=")
        }
        let name = compact[..<range.lowerBound].lowercased()
        let value = String(compact[range.upperBound...])
        self.expression = text
        self.comparison = comparison
        self.metric = try Self.metric(name, in: text)
        self.limit = try Self.limit(value, for: self.metric, in: text)
    }

    private static func metric(_ name: String, in text: String) throws(LoadError) -> Metric {
        switch name {
        case "errors", "error_rate", "http_req_failed": return .errorRate
        case "dropped": return .droppedRate
        case "rps", "throughput": return .throughput
        case "rss", "memory": return .residentMegabytes
        default: break
        }
        if name.hasPrefix("credited_") {
            return .creditLatency(try Self.statistic(String(name.dropFirst("credited_".count)), in: text))
        }
        return .latency(try Self.statistic(name, in: text))
    }

    private static func statistic(_ name: String, in text: String) throws(LoadError) -> Statistic {
        switch name {
        case "max": return .max
        case "mean", "avg": return .mean
        case "med", "median": return .percentile(50)
        default: break
        }
        guard name.hasPrefix("p"), let percentile = Double(name.dropFirst()), percentile > 0, percentile <= 100 else {
            throw LoadError.badArgument.with("threshold \(text): unknown metric \(name)")
        }
        // k6 and wrk write p(99.9); `p999` is accepted for 99.9 too.
        return .percentile(name == "p999" ? 99.9 : percentile)
    }

    private static func limit(_ text: String, for metric: Metric, in expression: String) throws(LoadError) -> Double {
        func number(_ digits: Substring) throws(LoadError) -> Double {
            guard let value = Double(digits), value.isFinite else {
                throw LoadError.badArgument.with("threshold \(expression): \(text) is not a number")
            }
            return value
        }
        switch metric {
        case .latency, .creditLatency:
            for (suffix, factor) in [("us", 0.001), ("µs", 0.001), ("ms", 1.0), ("s", 1_000.0)] where text.hasSuffix(suffix) {
                return try number(text.dropLast(suffix.count)) * factor
            }
            return try number(Substring(text))
        case .errorRate, .droppedRate:
            if text.hasSuffix("%") { return try number(text.dropLast()) }
            return try number(Substring(text)) * 100
        case .throughput:
            return try number(Substring(text))
        case .residentMegabytes:
            let upper = text.uppercased()
            for (suffix, factor) in [("KB", 1.0 / 1_024), ("MB", 1.0), ("GB", 1_024.0)] where upper.hasSuffix(suffix) {
                return try number(Substring(upper.dropLast(2))) * factor
            }
            return try number(Substring(text))
        }
    }

    /// The metric's value in `report` (in the canonical unit), or nil when the report lacks it.
    func actual(in report: LoadReport) -> Double? {
        switch self.metric {
        case .latency(let statistic):
            return Self.value(statistic, report.latency, curve: report.curve)
        case .creditLatency(let statistic):
            return report.credit.map { Self.value(statistic, $0.observed, curve: []) }
        case .errorRate:
            return report.requests.errorPercent
        case .droppedRate:
            let attempts = report.requests.sent + report.requests.droppedSends
            return attempts > 0 ? Double(report.requests.droppedSends) * 100 / Double(attempts) : 0
        case .throughput:
            return report.requests.throughput
        case .residentMegabytes:
            return report.residentMemory.map { Double($0.maximumBytes) / 1_048_576 }
        }
    }

    private static func value(_ statistic: Statistic, _ percentiles: LoadReport.Percentiles, curve: [LoadReport.CurvePoint]) -> Double {
        switch statistic {
        case .max: return percentiles.max
        case .mean: return percentiles.mean
        case .percentile(let p):
            switch p {
            case 50: return percentiles.p50
            case 90: return percentiles.p90
            case 95: return percentiles.p95
            case 99: return percentiles.p99
            case 99.9: return percentiles.p999
            case 100: return percentiles.max
            default:
                // Other percentiles: the first curve point at or above p.
                return curve.first(where: { $0.percentile >= p })?.milliseconds ?? percentiles.max
            }
        }
    }

    /// Evaluates the threshold; a metric the report lacks fails.
    public func evaluate(_ report: LoadReport) -> LoadReport.ThresholdResult {
        guard let actual = self.actual(in: report) else {
            return .init(expression: self.expression, actual: nil, passed: false)
        }
        return .init(expression: self.expression, actual: actual, passed: self.comparison.holds(actual, self.limit))
    }

    public var description: String { self.expression }
}
