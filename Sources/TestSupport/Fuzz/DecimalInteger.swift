/// A signed integer of any length, kept as its decimal digits: the exponent arithmetic of
/// ``ReferenceDecimal``. Only what that needs: addition, negation, comparison. Every
/// operation is schoolbook digit by digit, linear in the number of digits, and cannot overflow.
public struct DecimalInteger: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Magnitude digits (0…9), least significant first, no leading zeros; empty for zero.
    private var magnitude: [UInt8]
    /// Never true for zero.
    public private(set) var isNegative: Bool

    public static let zero = DecimalInteger(negative: false, magnitude: [])

    private init(negative: Bool, magnitude: [UInt8]) {
        var magnitude = magnitude
        while magnitude.last == 0 { magnitude.removeLast() }
        self.magnitude = magnitude
        self.isNegative = negative && !magnitude.isEmpty
    }

    /// From ASCII digits, most significant first (leading zeros allowed).
    public init(negative: Bool, digits: some Collection<UInt8>) {
        self.init(negative: negative, magnitude: digits.reversed().map { $0 - UInt8(ascii: "0") })
    }

    public init(_ value: Int) {
        var magnitude: [UInt8] = []
        var rest = value.magnitude
        while rest > 0 {
            magnitude.append(UInt8(rest % 10))
            rest /= 10
        }
        self.init(negative: value < 0, magnitude: magnitude)
    }

    public var isZero: Bool { self.magnitude.isEmpty }

    public var negated: DecimalInteger { DecimalInteger(negative: !self.isNegative, magnitude: self.magnitude) }

    /// The value as an `Int` when it has at most 15 digits, else nil.
    public var smallValue: Int? {
        guard self.magnitude.count <= 15 else { return nil }
        let value = self.magnitude.reversed().reduce(0) { $0 * 10 + Int($1) }
        return self.isNegative ? -value : value
    }

    public var description: String {
        if self.isZero { return "0" }
        return (self.isNegative ? "-" : "") + String(self.magnitude.reversed().map { Character(Unicode.Scalar($0 + UInt8(ascii: "0"))) })
    }

    public func adding(_ other: DecimalInteger) -> DecimalInteger {
        if self.isNegative == other.isNegative {
            return DecimalInteger(negative: self.isNegative, magnitude: Self.sum(self.magnitude, other.magnitude))
        }
        // Opposite signs: the larger magnitude keeps its sign.
        switch Self.compareMagnitudes(self.magnitude, other.magnitude) {
        case 0: return .zero
        case 1: return DecimalInteger(negative: self.isNegative, magnitude: Self.difference(self.magnitude, other.magnitude))
        default: return DecimalInteger(negative: other.isNegative, magnitude: Self.difference(other.magnitude, self.magnitude))
        }
    }

    public static func < (lhs: DecimalInteger, rhs: DecimalInteger) -> Bool {
        switch (lhs.isNegative, rhs.isNegative) {
        case (true, false): return true
        case (false, true): return false
        case (false, false): return compareMagnitudes(lhs.magnitude, rhs.magnitude) < 0
        case (true, true): return compareMagnitudes(lhs.magnitude, rhs.magnitude) > 0
        }
    }

    /// −1, 0 or 1.
    private static func compareMagnitudes(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        if lhs.count != rhs.count { return lhs.count < rhs.count ? -1 : 1 }
        for index in lhs.indices.reversed() where lhs[index] != rhs[index] {
            return lhs[index] < rhs[index] ? -1 : 1
        }
        return 0
    }

    private static func sum(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var carry: UInt8 = 0
        for index in 0..<max(lhs.count, rhs.count) {
            let digit = (index < lhs.count ? lhs[index] : 0) + (index < rhs.count ? rhs[index] : 0) + carry
            result.append(digit % 10)
            carry = digit / 10
        }
        if carry > 0 { result.append(carry) }
        return result
    }

    /// `larger − smaller`, magnitudes with `larger ≥ smaller`.
    private static func difference(_ larger: [UInt8], _ smaller: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var borrow: UInt8 = 0
        for index in larger.indices {
            let subtrahend = (index < smaller.count ? smaller[index] : 0) + borrow
            if larger[index] >= subtrahend {
                result.append(larger[index] - subtrahend)
                borrow = 0
            } else {
                result.append(larger[index] + 10 - subtrahend)
                borrow = 1
            }
        }
        return result
    }
}
