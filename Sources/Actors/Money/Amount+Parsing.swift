extension Amount {
    /// Why a text is not an amount. Each case reads as the end of "amount ...".
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not a decimal number.
        case notANumber
        /// More than 18 digits after the decimal point.
        case tooManyDecimals
        /// Beyond 20 integer digits (the `NUMERIC(38,18)` range).
        case outOfRange

        public var description: String {
            switch self {
            case .notANumber: "must be a decimal number"
            case .tooManyDecimals: "must have at most 18 decimal places"
            case .outOfRange: "must be less than 100000000000000000000"
            }
        }
    }

    /// Parses a plain decimal: an optional `-`, digits, optionally `.` and digits
    /// (`"12"`, `"0.5"`, `"-1.25"`). No exponent, no spaces, no leading `+` or `.`.
    ///
    /// Trailing zeros after the point count as written: `"1.0000000000000000000"` has 19
    /// decimal places and is rejected, as the contract says.
    public init(parsing text: some StringProtocol) throws(ParseError) {
        self = try Amount.parse(Array(text.utf8), allowExponent: false)
    }

    /// Parses the literal text of a JSON number exactly, exponent included
    /// (`1.5e2` is 150). The same limits apply to the value it denotes.
    public init(jsonNumber literal: some StringProtocol) throws(ParseError) {
        self = try Amount.parse(Array(literal.utf8), allowExponent: true)
    }

    private static let zero8 = UInt8(ascii: "0")

    private static func parse(_ bytes: [UInt8], allowExponent: Bool) throws(ParseError) -> Amount {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        // Integer and fraction digits, leading zeros of the integer part dropped.
        var integerDigits: [UInt8] = []
        var sawIntegerDigit = false
        while index < bytes.count, let digit = Amount.digit(bytes[index]) {
            sawIntegerDigit = true
            if !(integerDigits.isEmpty && digit == 0) { integerDigits.append(digit) }
            index += 1
        }
        guard sawIntegerDigit else { throw .notANumber }
        var fractionDigits: [UInt8] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, let digit = Amount.digit(bytes[index]) {
                fractionDigits.append(digit)
                index += 1
            }
            guard !fractionDigits.isEmpty else { throw .notANumber }
        }
        var exponent = 0
        if allowExponent, index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var sawExponentDigit = false
            while index < bytes.count, let digit = Amount.digit(bytes[index]) {
                sawExponentDigit = true
                // Any exponent beyond a few dozen already decides the outcome; stop growing.
                exponent = min(exponent * 10 + Int(digit), 10_000)
                index += 1
            }
            guard sawExponentDigit else { throw .notANumber }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { throw .notANumber }

        // The value is 0.<digits> shifted: digits = integer ++ fraction, point after
        // `integerDigits.count + exponent` digits.
        let digits = integerDigits + fractionDigits
        var pointPosition = integerDigits.count + exponent
        var significant = digits
        // Trailing zeros written after the point are still decimal places for plain
        // decimals; for exponent forms only the value's own decimals count.
        if allowExponent && exponent != 0 {
            while let last = significant.last, last == 0, significant.count > max(pointPosition, 0) {
                significant.removeLast()
            }
        }
        if significant.isEmpty { significant = [0]; pointPosition = max(pointPosition, 1) }
        // Digits after the point; negative when the value ends in zeros before the point.
        let decimals = significant.count - pointPosition
        guard decimals <= Amount.scale else {
            // A value like 0.0000000000000000000 is zero with too many places: still too many.
            throw .tooManyDecimals
        }
        let integerCount = max(pointPosition, 0)
        guard integerCount <= 20 else {
            if significant.allSatisfy({ $0 == 0 }) { return .zero }
            throw .outOfRange
        }
        // units = digits × 10^(18 − decimals); below 10²⁰ × 10¹⁸, so it fits an Int128.
        var units: Int128 = 0
        for digit in significant {
            units = units * 10 + Int128(digit)
        }
        for _ in 0..<(Amount.scale - decimals) {
            units *= 10
        }
        guard units <= Amount.maximum.units else { throw .outOfRange }
        return Amount(units: negative ? -units : units)!
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }
}
