import Foundation
import Testing

@testable import Runtime

@Suite("Log timestamps")
struct LoggingTimestampTests {
    @Test(
        "known instants format as RFC 3339 UTC with milliseconds",
        arguments: [
            (Duration.zero, "1970-01-01T00:00:00.000Z"),
            (logTestInstant, "2026-11-30T18:52:41.123Z"),
            (.seconds(951_782_400), "2000-02-29T00:00:00.000Z"),
            (.seconds(4_107_542_399) + .milliseconds(999), "2100-02-28T23:59:59.999Z"),
            (.seconds(253_402_300_799), "9999-12-31T23:59:59.000Z"),
            (.milliseconds(-1), "1969-12-31T23:59:59.999Z"),
            (.seconds(-86_400), "1969-12-31T00:00:00.000Z"),
            (.nanoseconds(1_999_999), "1970-01-01T00:00:00.001Z"),
        ]
    )
    func knownInstants(_ instant: Duration, _ expected: String) {
        #expect(LogTimestamp.string(instant) == expected)
    }

    @Test("matches Foundation's ISO 8601 formatter across a wide range of instants")
    func agreesWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            // Whole seconds, 1900...2999: the fraction is covered above, and a Double date
            // cannot hold every millisecond exactly.
            let seconds = Int64.random(in: -2_208_988_800...32_503_680_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(LogTimestamp.string(.seconds(seconds)) == formatter.string(from: date))
        }
    }

    @Test("the system clock reads close to Foundation's")
    func systemClock() {
        let difference = LogClock.system.now().seconds - Date().timeIntervalSince1970
        #expect(abs(difference) < 60)
    }
}
