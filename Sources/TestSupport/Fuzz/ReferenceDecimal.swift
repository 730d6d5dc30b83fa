/// An independent, exact reading of amount literals, for differential tests of
/// `Amount(parsing:)` and `Amount(jsonNumber:)`.
///
/// It shares no code and no algorithm with `Amount`: it works on decimal digit strings only,
/// with no fixed-width arithmetic on the value, and its exponent is an arbitrary-length
/// decimal integer (``DecimalInteger``), so any number of digits and an exponent of any length
/// are read exactly. The rules it applies:
///
/// - a plain decimal is `-?digits(.digits)?`; a JSON number may add `(e|E)(+|-)?digits`;
/// - at most 18 decimal places: for a plain decimal and a JSON number whose exponent is zero,
///   the digits written after the point count (trailing zeros too); for any other exponent
///   only the value's own decimals count;
/// - the magnitude is below 10²⁰ (at most 20 integer digits);
/// - the checks run in that order: not a number, then too many decimals, then out of range.
public enum ReferenceDecimal {
    /// Why a literal is refused, named like `Amount.ParseError`'s cases.
    public enum Refusal: String, Sendable, Hashable {
        case notANumber
        case tooManyDecimals
        case outOfRange
    }

    public enum Outcome: Sendable, Hashable, CustomStringConvertible {
        /// Accepted; the value's shortest exact decimal text (`"1.5"`, `"-3"`, `"0"`).
        case value(String)
        case refused(Refusal)

        public var description: String {
            switch self {
            case .value(let text): "value \(text)"
            case .refused(let refusal): "refused (\(refusal.rawValue))"
            }
        }
    }

    public static let maximumDecimals = 18
    public static let maximumIntegerDigits = 20

    /// The reading of `Amount(parsing:)`'s grammar.
    public static func plain(_ text: some StringProtocol) -> Outcome {
        self.read(Array(text.utf8), allowExponent: false)
    }

    /// The reading of `Amount(jsonNumber:)`'s grammar.
    public static func jsonNumber(_ text: some StringProtocol) -> Outcome {
        self.read(Array(text.utf8), allowExponent: true)
    }

    private struct Literal {
        var negative = false
        var integerDigits: ArraySlice<UInt8> = []
        var fractionDigits: ArraySlice<UInt8> = []
        var exponent: DecimalInteger?
    }

    private static func read(_ bytes: [UInt8], allowExponent: Bool) -> Outcome {
        guard let literal = self.lex(bytes, allowExponent: allowExponent) else { return .refused(.notANumber) }
        // Written places count unless an exponent other than zero moves the point.
        let writtenPlacesCount = literal.exponent.map(\.isZero) ?? true

        // All digits as one string; the value is digits × 10^(exponent − fraction count).
        let digits = Array(literal.integerDigits) + Array(literal.fractionDigits)
        guard let firstSignificant = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }) else {
            if writtenPlacesCount, literal.fractionDigits.count > self.maximumDecimals { return .refused(.tooManyDecimals) }
            return .value("0")
        }
        let lastSignificant = digits.lastIndex(where: { $0 != UInt8(ascii: "0") })!
        let significant = Array(digits[firstSignificant...lastSignificant])
        let trailingZeros = digits.count - 1 - lastSignificant
        // value = significant × 10^scale
        let scale = (literal.exponent ?? .zero)
            .adding(DecimalInteger(trailingZeros))
            .adding(DecimalInteger(-literal.fractionDigits.count))

        let decimals = writtenPlacesCount
            ? DecimalInteger(literal.fractionDigits.count)
            : (scale.isNegative ? scale.negated : .zero)
        guard decimals <= DecimalInteger(self.maximumDecimals) else { return .refused(.tooManyDecimals) }
        // Integer digits of the value: significant.count + scale when that is positive.
        let integerDigits = scale.adding(DecimalInteger(significant.count))
        guard integerDigits <= DecimalInteger(self.maximumIntegerDigits) else { return .refused(.outOfRange) }

        // Both checks passed, so the scale is within −(18 + significant.count)…20: small.
        let shift = scale.smallValue!
        var text = literal.negative ? "-" : ""
        let ascii = significant.map { Character(Unicode.Scalar($0)) }
        if shift >= 0 {
            text += String(ascii) + String(repeating: "0", count: shift)
        } else {
            let point = significant.count + shift
            if point > 0 {
                text += String(ascii[..<point]) + "." + String(ascii[point...])
            } else {
                text += "0." + String(repeating: "0", count: -point) + String(ascii)
            }
        }
        return .value(text)
    }

    private static func lex(_ bytes: [UInt8], allowExponent: Bool) -> Literal? {
        var literal = Literal()
        var rest = bytes[...]
        if rest.first == UInt8(ascii: "-") {
            literal.negative = true
            rest = rest.dropFirst()
        }
        literal.integerDigits = rest.prefix(while: self.isDigit)
        guard !literal.integerDigits.isEmpty else { return nil }
        rest = rest.dropFirst(literal.integerDigits.count)
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            literal.fractionDigits = rest.prefix(while: self.isDigit)
            guard !literal.fractionDigits.isEmpty else { return nil }
            rest = rest.dropFirst(literal.fractionDigits.count)
        }
        if allowExponent, let marker = rest.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            var negative = false
            if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                negative = sign == UInt8(ascii: "-")
                rest = rest.dropFirst()
            }
            let exponentDigits = rest.prefix(while: self.isDigit)
            guard !exponentDigits.isEmpty else { return nil }
            rest = rest.dropFirst(exponentDigits.count)
            literal.exponent = DecimalInteger(negative: negative, digits: exponentDigits)
        }
        return rest.isEmpty ? literal : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
