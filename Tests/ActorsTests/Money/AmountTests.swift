import Actors
import PropertyBased
import Testing

@Suite struct AmountTests {
    @Test(arguments: [
        ("1", "1"), ("1.0", "1"), ("1.50", "1.5"), ("0.000000000000000001", "0.000000000000000001"),
        ("12345678901234567890", "12345678901234567890"), ("99999999999999999999.999999999999999999", "99999999999999999999.999999999999999999"),
        ("007.25", "7.25"), ("-3.25", "-3.25"), ("0", "0"),
    ])
    func parsesPlainDecimals(text: String, canonical: String) throws {
        #expect(try Amount(parsing: text).description == canonical)
    }

    @Test func unitsAreTenToTheMinusEighteen() throws {
        #expect(try Amount(parsing: "1").units == 1_000_000_000_000_000_000)
        #expect(try Amount(parsing: "0.000000000000000001").units == 1)
        #expect(try Amount(parsing: "2.5").units == 2_500_000_000_000_000_000)
    }

    @Test(arguments: ["", "abc", "1.", ".5", "1e3", "+1", " 1", "1 ", "1,5", "--1", "1.2.3", "0x10", "NaN", "Infinity", "١"])
    func refusesNonDecimals(text: String) {
        #expect(throws: Amount.ParseError.notANumber) { try Amount(parsing: text) }
    }

    @Test func refusesNineteenDecimals() {
        #expect(throws: Amount.ParseError.tooManyDecimals) { try Amount(parsing: "0.0000000000000000001") }
        // Trailing zeros written out still count as decimal places.
        #expect(throws: Amount.ParseError.tooManyDecimals) { try Amount(parsing: "1.0000000000000000000") }
    }

    @Test func refusesTwentyOneIntegerDigits() {
        #expect(throws: Amount.ParseError.outOfRange) { try Amount(parsing: "100000000000000000000") }
        #expect(throws: Amount.ParseError.outOfRange) { try Amount(parsing: "123456789012345678901234567890") }
    }

    @Test(arguments: [
        ("1", "1"), ("1.5", "1.5"), ("1.5e2", "150"), ("15E-1", "1.5"), ("1e-18", "0.000000000000000001"),
        ("-2.5", "-2.5"), ("0.10e1", "1"), ("100e-2", "1"), ("1e19", "10000000000000000000"), ("0e99999", "0"),
    ])
    func parsesJSONNumbersExactly(literal: String, canonical: String) throws {
        #expect(try Amount(jsonNumber: literal).description == canonical)
    }

    @Test func jsonNumbersBeyondTheRangeOrPrecisionAreRefused() {
        #expect(throws: Amount.ParseError.tooManyDecimals) { try Amount(jsonNumber: "1e-19") }
        #expect(throws: Amount.ParseError.outOfRange) { try Amount(jsonNumber: "1e20") }
        #expect(throws: Amount.ParseError.outOfRange) { try Amount(jsonNumber: "1e400") }
        // 39 significant digits: a Double or Decimal would round this silently.
        #expect(throws: Amount.ParseError.tooManyDecimals) { try Amount(jsonNumber: "12345678901234567890.1234567890123456789") }
    }

    @Test func addsExactlyAndReportsOverflow() throws {
        var total = Amount.zero
        for _ in 0..<1000 {
            total = try #require(total.adding(try Amount(parsing: "0.000000000000000001")))
        }
        #expect(total.description == "0.000000000000001")
        let big = try Amount(parsing: "60000000000000000000")
        #expect(big.adding(big) == nil)
        #expect(try Amount(parsing: "12345678901234567890").adding(try Amount(parsing: "0.000000000000000001"))?.description == "12345678901234567890.000000000000000001")
    }

    @Test func formattingRoundTripsForEveryRepresentableValue() async {
        await propertyCheck(count: 2000, input: Gen.int128(in: -Amount.maximum.units...Amount.maximum.units)) { units in
            let amount = Amount(units: units)!
            let parsed = try Amount(parsing: amount.description)
            let parsedAsNumber = try Amount(jsonNumber: amount.description)
            #expect(parsed == amount)
            #expect(parsedAsNumber == amount)
        }
    }

    @Test func parsingRoundTripsDigitStrings() async {
        let digits = Gen.character(in: "0"..."9").string(of: 1...20)
        let fraction = Gen.character(in: "0"..."9").string(of: 0...18)
        await propertyCheck(count: 2000, input: digits, fraction) { whole, fraction in
            let text = fraction.isEmpty ? whole : "\(whole).\(fraction)"
            let amount = try Amount(parsing: text)
            // Same value: canonical text equals the input without leading and trailing zeros.
            var expected = String(whole.drop { $0 == "0" })
            if expected.isEmpty { expected = "0" }
            let trimmedFraction = String(fraction.reversed().drop { $0 == "0" }.reversed())
            if !trimmedFraction.isEmpty { expected += "." + trimmedFraction }
            #expect(amount.description == expected)
        }
    }

    @Test func sumOfManyRandomAmountsMatchesIntegerSum() async {
        await propertyCheck(input: Gen.int64(in: 1...Int64.max).array(of: 1...50)) { values in
            var total = Amount.zero
            var expected: Int128 = 0
            for value in values {
                total = total.adding(Amount(units: Int128(value))!)!
                expected += Int128(value)
            }
            #expect(total.units == expected)
        }
    }
}
