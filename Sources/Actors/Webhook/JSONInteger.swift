/// Reads a JSON number literal as a whole number, exactly.
///
/// JSON does not tell integers from other numbers: `12`, `12.0` and `1.2e1` are one value,
/// and JSON Schema's `integer` accepts all three. A counter (`confirmations`, `log_index`,
/// `block_number`, `telegram_id`) is therefore judged by the value the literal denotes, never
/// through a floating-point number: a fraction that is not zero (`1.5`), or a value beyond
/// `Int64`, is refused.
enum JSONInteger {
    /// The integer `literal` denotes, or nil when it is not a JSON number, has a non-zero
    /// fraction, or lies outside `Int64`. Linear in the literal's length whatever its exponent.
    static func value(_ literal: some StringProtocol) -> Int64? {
        let bytes = Array(literal.utf8)
        var index = 0
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var digits: [UInt8] = []
        let integerStart = index
        while index < bytes.count, let digit = Self.digit(bytes[index]) {
            digits.append(digit)
            index += 1
        }
        guard index > integerStart else { return nil }
        var fractionCount = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, let digit = Self.digit(bytes[index]) {
                digits.append(digit)
                index += 1
            }
            fractionCount = index - fractionStart
            guard fractionCount > 0 else { return nil }
        }
        // An exponent beyond this decides nothing more: it saturates, so it cannot overflow.
        let exponentCap = bytes.count + 40
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, let digit = Self.digit(bytes[index]) {
                exponent = min(exponent * 10 + Int(digit), exponentCap)
                index += 1
            }
            guard index > exponentStart else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { return nil }

        // The value is N × 10^(exponent − fractionCount), N the integer of all the digits.
        guard let first = digits.firstIndex(where: { $0 != 0 }) else { return 0 }
        let last = digits.lastIndex(where: { $0 != 0 })!
        let shift = exponent - fractionCount + (digits.count - 1 - last)
        guard shift >= 0 else { return nil }
        // Int64 has 19 digits: anything longer is out of range before any arithmetic.
        guard last - first + 1 + shift <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in digits[first...last] {
            magnitude = magnitude * 10 + UInt64(digit)
        }
        for _ in 0..<shift {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            magnitude = product
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? byte - UInt8(ascii: "0") : nil
    }
}
