/// The rules metric and label names must follow; breaking one is a programming error.
///
/// Names are checked when a key is created (once, at start-up), so a bad name stops the
/// process at the line that made it instead of producing an exposition Prometheus rejects.
enum MetricNaming {
    /// Checks a metric name of the given kind and returns it.
    ///
    /// Metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`; counter names end in `_total`.
    static func checkedName(_ name: String, kind: MetricKind) -> String {
        precondition(Self.isValidMetricName(name), "invalid metric name '\(name)': must match [a-zA-Z_:][a-zA-Z0-9_:]*")
        if kind == .counter {
            precondition(name.hasSuffix("_total"), "counter name '\(name)' must end in _total")
        }
        return name
    }

    /// Checks label names and returns the labels sorted by name.
    ///
    /// Label names match `[a-zA-Z_][a-zA-Z0-9_]*`, do not start with `__` (reserved by
    /// Prometheus), appear once, and a histogram may not use `le` (its bucket label).
    static func checkedLabels(_ labels: [(String, String)], metric: String, kind: MetricKind) -> [Label] {
        var result = [Label]()
        result.reserveCapacity(labels.count)
        for (name, value) in labels {
            precondition(
                Self.isValidLabelName(name) && !name.hasPrefix("__"),
                "invalid label name '\(name)' on metric '\(metric)': must match [a-zA-Z_][a-zA-Z0-9_]* without a leading __"
            )
            precondition(kind != .histogram || name != "le", "histogram '\(metric)' may not use the label name 'le'")
            precondition(!result.contains { $0.name == name }, "label '\(name)' appears twice on metric '\(metric)'")
            result.append(Label(name, value))
        }
        result.sort { $0.name < $1.name }
        return result
    }

    /// Checks that histogram bucket bounds are non-negative and strictly increasing.
    static func checkedBuckets(_ buckets: [Duration], metric: String) -> [Duration] {
        precondition(buckets.allSatisfy { $0 >= .zero }, "histogram '\(metric)' has a negative bucket bound")
        precondition(
            zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 },
            "histogram '\(metric)' bucket bounds must be strictly increasing"
        )
        return buckets
    }

    static func isValidMetricName(_ name: String) -> Bool {
        Self.isValidName(name, allowColon: true)
    }

    static func isValidLabelName(_ name: String) -> Bool {
        Self.isValidName(name, allowColon: false)
    }

    private static func isValidName(_ name: String, allowColon: Bool) -> Bool {
        guard !name.isEmpty else { return false }
        for (offset, byte) in name.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                continue
            case UInt8(ascii: ":") where allowColon:
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9") where offset > 0:
                continue
            default:
                return false
            }
        }
        return true
    }
}
