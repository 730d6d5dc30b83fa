/// Formats log timestamps as RFC 3339 UTC with milliseconds: `2026-11-30T18:52:41.123Z`.
///
/// Written by hand (no `DateFormatter`, no `gmtime_r`) because it runs for every log line;
/// the calendar conversion is Howard Hinnant's `civil_from_days`.
enum LogTimestamp {
    /// Appends the timestamp for `sinceEpoch` (time since 1970-01-01T00:00:00Z), truncated to
    /// the millisecond.
    static func append(_ sinceEpoch: Duration, to bytes: inout [UInt8]) {
        // Duration's components share the duration's sign; count whole milliseconds downwards.
        let (wholeSeconds, attoseconds) = sinceEpoch.components
        var totalMilliseconds = wholeSeconds &* 1_000 &+ attoseconds / 1_000_000_000_000_000
        if attoseconds < 0 && attoseconds % 1_000_000_000_000_000 != 0 {
            totalMilliseconds &-= 1
        }
        let seconds = Self.floorDivide(totalMilliseconds, 1_000)
        let milliseconds = totalMilliseconds - seconds * 1_000
        let days = Self.floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)

        Self.appendDigits(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(month, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(day, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        Self.appendDigits(secondOfDay / 3_600, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(secondOfDay / 60 % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(secondOfDay % 60, width: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        Self.appendDigits(milliseconds, width: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The timestamp as a string (for tests and the text handler's callers).
    static func string(_ sinceEpoch: Duration) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        Self.append(sinceEpoch, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Year, month (1...12) and day (1...31) of the proleptic Gregorian calendar for a
    /// count of days since 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = Self.floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor < 0) ? quotient - 1 : quotient
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits.
    private static func appendDigits(_ value: Int64, width: Int, to bytes: inout [UInt8]) {
        var value = value
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            value = 0 &- value
        }
        var divisor: Int64 = 1
        var digits = 1
        while digits < width || value / divisor >= 10 {
            divisor *= 10
            digits += 1
        }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
