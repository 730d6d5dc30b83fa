import Foundation
import NIOCore

/// Reads the few fields the harness needs out of the service's small JSON answers without a
/// full parse: the value of `"key":"..."` (string values only, no escapes expected).
enum AnswerFields {
    static func string(_ key: String, in buffer: ByteBuffer) -> String? {
        buffer.withUnsafeReadableBytes { bytes in
            Self.string(key, in: bytes)
        }
    }

    static func string(_ key: String, in bytes: UnsafeRawBufferPointer) -> String? {
        let needle = Array("\"\(key)\"".utf8)
        guard bytes.count >= needle.count else { return nil }
        var index = 0
        search: while index + needle.count <= bytes.count {
            for offset in 0..<needle.count where bytes[index + offset] != needle[offset] {
                index += 1
                continue search
            }
            var cursor = index + needle.count
            // Optional spaces, a colon, optional spaces, a quote.
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { return nil }
            cursor += 1
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") else { return nil }
            cursor += 1
            let start = cursor
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "\"") { cursor += 1 }
            guard cursor < bytes.count else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<cursor]), as: UTF8.self)
        }
        return nil
    }

    /// The `tx_id` of an accepted webhook.
    static func transactionID(in buffer: ByteBuffer) -> UUID? {
        Self.string("tx_id", in: buffer).flatMap(UUID.init(uuidString:))
    }
}

/// ISO 8601 timestamps as the service writes them (`2026-11-30T19:25:36.123Z`, or with a
/// `+hhmm`/`+hh:mm` offset), to Unix milliseconds. No Foundation formatter: this runs once per
/// credited deposit on the event loop.
public enum ISO8601Milliseconds {
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var cursor = 19
        var milliseconds: Int64 = 0
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ".") {
            cursor += 1
            var digits = 0
            while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") {
                if digits < 3 { milliseconds = milliseconds * 10 + Int64(bytes[cursor] - UInt8(ascii: "0")) }
                digits += 1
                cursor += 1
            }
            for _ in digits..<max(digits, 3) { milliseconds *= 10 }
        }
        var offsetMinutes: Int64 = 0
        guard cursor < bytes.count else { return nil }
        switch bytes[cursor] {
        case UInt8(ascii: "Z"):
            cursor += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = bytes[cursor] == UInt8(ascii: "-") ? -1 : 1
            cursor += 1
            guard let hours = number(cursor..<cursor + 2) else { return nil }
            cursor += 2
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") { cursor += 1 }
            guard let minutes = number(cursor..<cursor + 2) else { return nil }
            cursor += 2
            offsetMinutes = sign * (hours * 60 + minutes)
        default:
            return nil
        }
        guard cursor == bytes.count else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1_000 + milliseconds
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
