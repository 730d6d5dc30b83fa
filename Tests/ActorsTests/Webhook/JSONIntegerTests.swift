import TestSupport
import Testing

@testable import Actors

/// Counters are judged by the value a JSON number denotes, as JSON Schema's `integer`
/// (docs/openapi.yaml) is: `12.0` is 12, `1.5` is not a whole number.
@Suite struct JSONIntegerTests {
    @Test(arguments: [
        ("12", 12), ("12.0", 12), ("1.2e1", 12), ("120e-1", 12), ("0.12E+2", 12), ("-0", 0), ("0.000", 0), ("0e999999999999", 0),
        ("9223372036854775807", Int64.max), ("9.223372036854775807e18", Int64.max), ("-9223372036854775808", Int64.min),
    ])
    func wholeNumbersInAnySpelling(literal: String, value: Int64) {
        #expect(JSONInteger.value(literal) == value)
    }

    @Test(arguments: [
        "1.5", "1e-1", "12.5e-1", "9223372036854775808", "1e19", "1e999999999999999999", "-9223372036854775809",
        "", "-", "1.", ".5", "1e", "1e+", "0x10", "12 ", "+1", "1.0.0",
    ])
    func fractionsOverflowAndNonNumbersAreRefused(literal: String) {
        #expect(JSONInteger.value(literal) == nil)
    }

    @Test func aWebhookCounterWrittenWithAZeroFractionIsAccepted() throws {
        let record = try DepositRecord(
            webhookBody: Array(#"{"tx_hash":"a","amount":"1","confirmations":12.0,"log_index":1e0,"block_number":5.00}"#.utf8)
        )
        #expect(record.confirmations == 12)
        #expect(record.logIndex == 1)
        #expect(record.blockNumber == 5)
        #expect(throws: ServiceError.self) {
            try DepositRecord(webhookBody: Array(#"{"tx_hash":"a","amount":"1","confirmations":12.5}"#.utf8))
        }
    }

    /// The admin fuzz target's oracle reads the number independently and agrees.
    @Test(arguments: ["5", "5.0", "5e0", "50e-1", "5.000000000000000000000000000000000000000000000000", "9.223372036854775807e18"])
    func theFuzzOracleAgreesOnWholeNumbers(literal: String) throws {
        try FuzzChecks.admin(Array(#"{"username":"bob","telegram_id":\#(literal)}"#.utf8))
    }
}
