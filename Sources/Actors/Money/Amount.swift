/// An exact amount of a token: a fixed-point integer of 10⁻¹⁸ units.
///
/// Amounts never pass through floating point: they are parsed from decimal text digit by
/// digit, added with overflow checks and printed back exactly. The range matches the
/// stores' `NUMERIC(38,18)` columns: at most 20 integer digits and 18 fractional digits.
public struct Amount: Sendable, Hashable, Comparable {
    /// Fractional digits carried: one unit is 10⁻¹⁸.
    public static let scale = 18
    /// 10¹⁸, the number of units in one whole token.
    public static let unitsPerToken: Int128 = 1_000_000_000_000_000_000
    /// The largest magnitude a `NUMERIC(38,18)` column holds: 10²⁰ − 10⁻¹⁸.
    public static let maximum = Amount(uncheckedUnits: 99_999_999_999_999_999_999_999_999_999_999_999_999)
    public static let zero = Amount(uncheckedUnits: 0)

    /// The amount in 10⁻¹⁸ units.
    public let units: Int128

    private init(uncheckedUnits units: Int128) {
        self.units = units
    }

    /// An amount of `units` × 10⁻¹⁸, or nil when outside ±``maximum``.
    public init?(units: Int128) {
        guard units.magnitude <= Amount.maximum.units.magnitude else { return nil }
        self.units = units
    }

    public var isPositive: Bool { self.units > 0 }

    public static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.units < rhs.units }

    /// The exact sum, or nil when it leaves the representable range.
    public func adding(_ other: Amount) -> Amount? {
        let (sum, overflow) = self.units.addingReportingOverflow(other.units)
        return overflow ? nil : Amount(units: sum)
    }
}

extension Amount: CustomStringConvertible {
    /// The shortest exact decimal text: `"1.5"`, `"0.000000000000000001"`, `"12"`, `"-3.25"`.
    public var description: String {
        let magnitude = self.units.magnitude
        let whole = magnitude / UInt128(Amount.unitsPerToken)
        var fraction = magnitude % UInt128(Amount.unitsPerToken)
        var text = self.units < 0 ? "-" : ""
        text += String(whole)
        guard fraction != 0 else { return text }
        var digits = Amount.scale
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        text += "."
        text += String(repeating: "0", count: digits - fractionText.count)
        text += fractionText
        return text
    }
}
