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

    /// Parses `bytes` exactly, in time linear in their length.
    ///
    /// The literal denotes N × 10^(e − f): N the integer of all its digits, f the digits
    /// written after the point, e the exponent. Nothing is computed on more than 38
    /// significant digits: the limits (18 decimals, 20 integer digits) are decided from digit
    /// counts first, and only a value known to fit is multiplied out, with checked arithmetic.
    private static func parse(_ bytes: [UInt8], allowExponent: Bool) throws(ParseError) -> Amount {
        var index = 0
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }

        let integerStart = index
        while index < bytes.count, Amount.digit(bytes[index]) != nil { index += 1 }
        let integerEnd = index
        guard integerEnd > integerStart else { throw .notANumber }

        var fractionStart = index
        var fractionEnd = index
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fractionStart = index
            while index < bytes.count, Amount.digit(bytes[index]) != nil { index += 1 }
            fractionEnd = index
            guard fractionEnd > fractionStart else { throw .notANumber }
        }

        // Any exponent larger in magnitude than the literal's own length plus the limits
        // decides the outcome the same way as a larger one, so the magnitude saturates there:
        // exact, and no overflow whatever the number of exponent digits.
        let exponentCap = bytes.count + 2 * Amount.scale + 64
        var exponent = 0
        if allowExponent, index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, let digit = Amount.digit(bytes[index]) {
                if exponent < exponentCap { exponent = min(exponent * 10 + Int(digit), exponentCap) }
                index += 1
            }
            guard index > exponentStart else { throw .notANumber }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { throw .notANumber }

        let fractionCount = fractionEnd - fractionStart
        // Digits of N, skipping the point: position p of N is bytes[p] before the point and
        // bytes[p + 1] after it.
        func digitAt(_ position: Int) -> UInt8 {
            bytes[position < integerEnd ? position : position + 1] - UInt8(ascii: "0")
        }
        let digitsEnd = integerEnd + fractionCount  // positions integerStart..<digitsEnd
        var first = integerStart
        while first < digitsEnd, digitAt(first) == 0 { first += 1 }

        guard first < digitsEnd else {
            // Zero: only the decimal places written can be wrong.
            if !allowExponent || exponent == 0, fractionCount > Amount.scale { throw .tooManyDecimals }
            return .zero
        }
        var last = digitsEnd - 1
        while digitAt(last) == 0 { last -= 1 }
        let trailingZeros = digitsEnd - 1 - last
        let significantCount = last - first + 1
        // The value is M × 10^shift, M the significant digits (no leading or trailing zeros).
        let shift = exponent - fractionCount + trailingZeros
        // Trailing zeros written after the point are decimal places for plain decimals (and
        // exponent-free JSON numbers); for exponent forms only the value's own decimals count.
        let places = (!allowExponent || exponent == 0) ? fractionCount : max(-shift, 0)
        guard places <= Amount.scale else { throw .tooManyDecimals }
        // Integer digits of the value: significantCount + shift when positive.
        guard significantCount + shift <= 20 else { throw .outOfRange }

        // Now M has at most 38 digits and M × 10^(shift + 18) < 10^38: it fits an Int128.
        var units: Int128 = 0
        for position in first...last {
            units = try Amount.checked(units.multipliedReportingOverflow(by: 10))
            units = try Amount.checked(units.addingReportingOverflow(Int128(digitAt(position))))
        }
        for _ in 0..<(shift + Amount.scale) {
            units = try Amount.checked(units.multipliedReportingOverflow(by: 10))
        }
        guard let amount = Amount(units: negative ? -units : units) else { throw .outOfRange }
        return amount
    }

    private static func checked(_ result: (partialValue: Int128, overflow: Bool)) throws(ParseError) -> Int128 {
        guard !result.overflow else { throw .outOfRange }
        return result.partialValue
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }
}
