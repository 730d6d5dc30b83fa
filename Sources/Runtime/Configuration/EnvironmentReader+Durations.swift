extension EnvironmentReader {
    /// A duration given in seconds (`"30"`, `"0.5"`) within `range`, or `default` if unset.
    ///
    /// Accepts a non-negative decimal number with up to nine fractional digits (more are
    /// ignored); no exponent, no unit suffix.
    public func seconds(_ name: String, default defaultValue: Duration, range: ClosedRange<Duration>) throws -> Duration {
        try self.duration(name, default: defaultValue, range: range, unit: .seconds)
    }

    /// A duration given in milliseconds (`"250"`, `"0.5"`) within `range`, or `default` if unset.
    ///
    /// Accepts a non-negative decimal number with up to six fractional digits (more are
    /// ignored); no exponent, no unit suffix.
    public func milliseconds(
        _ name: String,
        default defaultValue: Duration,
        range: ClosedRange<Duration>
    ) throws -> Duration {
        try self.duration(name, default: defaultValue, range: range, unit: .milliseconds)
    }

    /// The unit a duration variable is written in.
    enum DurationUnit {
        case seconds
        case milliseconds

        var nanoseconds: Int64 {
            switch self {
            case .seconds: 1_000_000_000
            case .milliseconds: 1_000_000
            }
        }

        var name: String {
            switch self {
            case .seconds: "seconds"
            case .milliseconds: "milliseconds"
            }
        }
    }

    private func duration(
        _ name: String,
        default defaultValue: Duration,
        range: ClosedRange<Duration>,
        unit: DurationUnit
    ) throws -> Duration {
        precondition(range.contains(defaultValue), "default of \(name) must lie in its range")
        guard let text = self.trimmed(name) else { return defaultValue }
        guard let value = Self.parseDecimal(text, unit: unit), range.contains(value) else {
            let bounds = "\(Self.format(range.lowerBound, unit: unit))...\(Self.format(range.upperBound, unit: unit))"
            throw self.invalid(name, expected: "a number of \(unit.name) in \(bounds)", got: text)
        }
        return value
    }

    /// Parses `digits[.digits]` in `unit`, exactly to the nanosecond; `nil` if malformed or
    /// too large.
    static func parseDecimal(_ text: String, unit: DurationUnit) -> Duration? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits = { (part: Substring) in !part.isEmpty && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard isDigits(parts[0]), parts.count == 1 || isDigits(parts[1]) else { return nil }
        guard let whole = Int64(parts[0]) else { return nil }
        let (wholeNanoseconds, overflow) = whole.multipliedReportingOverflow(by: unit.nanoseconds)
        guard !overflow else { return nil }

        var fractionNanoseconds: Int64 = 0
        if parts.count == 2 {
            // The fraction as billionths of the unit (nine digits, padded or cut), then scaled.
            let digits = parts[1].prefix(9)
            let padded = digits + String(repeating: "0", count: 9 - digits.count)
            fractionNanoseconds = Int64(padded)! * unit.nanoseconds / 1_000_000_000
        }
        let (total, sumOverflow) = wholeNanoseconds.addingReportingOverflow(fractionNanoseconds)
        return sumOverflow ? nil : .nanoseconds(total)
    }

    /// `duration` in `unit`, with as many decimals as needed: `0.5`, `30`, `0.001`.
    static func format(_ duration: Duration, unit: DurationUnit) -> String {
        let nanoseconds = duration.nanoseconds
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        let perUnit = UInt64(unit.nanoseconds)
        let whole = magnitude / perUnit
        let fraction = magnitude % perUnit
        guard fraction > 0 else { return "\(sign)\(whole)" }
        let width = unit == .seconds ? 9 : 6
        var digits = String(fraction)
        digits = String(repeating: "0", count: width - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(sign)\(whole).\(digits)"
    }
}
