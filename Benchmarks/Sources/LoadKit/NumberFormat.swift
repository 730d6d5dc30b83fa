/// Plain, locale-free number formatting for terminals, tables and SVG.
enum NumberFormat {
    /// `value` with `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int64(rounded / scale)
        var text = (value < 0 && rounded != 0 ? "-" : "") + Self.grouped(whole)
        if digits > 0 {
            let fraction = Int64(rounded) - whole * Int64(scale)
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return text
    }

    /// An integer with thousands separators: `1,234,567`.
    static func grouped<I: BinaryInteger>(_ value: I) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Milliseconds with three significant decimals for small values: `0.412`, `3.21`, `45.1`, `1,203`.
    static func milliseconds(_ value: Double) -> String {
        switch value {
        case ..<1: fixed(value, 3)
        case ..<10: fixed(value, 2)
        case ..<100: fixed(value, 1)
        default: fixed(value, 0)
        }
    }

    /// A percentile label: `50%`, `99.9%`, `99.999%`.
    static func percentile(_ value: Double) -> String {
        var text = fixed(value, 4)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }

    static func megabytes(_ bytes: UInt64) -> String {
        fixed(Double(bytes) / 1_048_576, 1) + " MB"
    }
}
