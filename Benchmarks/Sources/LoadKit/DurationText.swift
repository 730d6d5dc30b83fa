/// Durations as people type them on a command line: `500ms`, `30s`, `5m`, `1h`, `250us`,
/// `1.5s`. A bare number is seconds.
public enum DurationText {
    /// - Throws: ``LoadError/badArgument`` naming `option` when `text` is not a duration.
    public static func parse(_ text: String, option: String) throws(LoadError) -> Duration {
        let units: [(suffix: String, nanoseconds: Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3_600e9),
        ]
        let trimmed = text.trimmingSpaces()
        // Longest suffix first so that "ms" wins over "s".
        for unit in units.sorted(by: { $0.suffix.count > $1.suffix.count }) where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            if let value = Double(number), value >= 0, value.isFinite {
                return .nanoseconds(Int64((value * unit.nanoseconds).rounded()))
            }
        }
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite {
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
        throw LoadError.badArgument.with("\(option) must be a duration such as 500ms, 30s or 5m (got \(text))")
    }

    /// A compact rendering: `30s`, `5m`, `1m30s`, `250ms`.
    public static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.nanosecondsValue
        if nanoseconds % 1_000_000_000 == 0 {
            let seconds = nanoseconds / 1_000_000_000
            if seconds >= 60 {
                return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m\(seconds % 60)s"
            }
            return "\(seconds)s"
        }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        return "\(Double(nanoseconds) / 1e6)ms"
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating far beyond any benchmark's length).
    public var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration in (fractional) milliseconds, for reports.
    public var milliseconds: Double { Double(self.nanosecondsValue) / 1e6 }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
