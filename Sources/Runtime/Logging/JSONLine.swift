import Logging

/// Builds one JSON object as UTF-8 bytes, by hand, for ``JSONLogHandler``.
///
/// Strings are escaped as RFC 8259 requires (quote, backslash, control characters) and
/// U+2028 / U+2029 are escaped too, so a line is also a valid JavaScript literal. Everything
/// else is copied as UTF-8.
struct JSONLine {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 256) {
        self.bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        self.bytes.append(UInt8(ascii: "{"))
        self.needsComma = false
    }

    mutating func endObject() {
        self.bytes.append(UInt8(ascii: "}"))
        self.needsComma = true
    }

    /// Writes `"key":` (with a comma before it if needed); a value must follow.
    mutating func key(_ key: String) {
        self.separate()
        self.appendQuoted(key)
        self.bytes.append(UInt8(ascii: ":"))
        self.needsComma = false
    }

    /// Writes a string value.
    mutating func string(_ value: String) {
        self.separate()
        self.appendQuoted(value)
        self.needsComma = true
    }

    /// Writes a string value from raw UTF-8 (which must need no escaping).
    mutating func rawString(_ write: (inout [UInt8]) -> Void) {
        self.separate()
        self.bytes.append(UInt8(ascii: "\""))
        write(&self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
        self.needsComma = true
    }

    /// Writes a metadata value: strings and string-convertibles as strings, dictionaries as
    /// objects (keys sorted), arrays as arrays.
    mutating func value(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let string):
            self.string(string)
        case .stringConvertible(let convertible):
            self.string(convertible.description)
        case .dictionary(let dictionary):
            self.separate()
            self.beginObject()
            for key in dictionary.keys.sorted() {
                self.key(key)
                self.value(dictionary[key]!)
            }
            self.endObject()
        case .array(let array):
            self.separate()
            self.bytes.append(UInt8(ascii: "["))
            self.needsComma = false
            for element in array {
                self.value(element)
            }
            self.bytes.append(UInt8(ascii: "]"))
            self.needsComma = true
        }
    }

    private mutating func separate() {
        if self.needsComma {
            self.bytes.append(UInt8(ascii: ","))
            self.needsComma = false
        }
    }

    private mutating func appendQuoted(_ string: String) {
        self.bytes.append(UInt8(ascii: "\""))
        Self.appendEscaped(string, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `string`'s JSON-escaped UTF-8, without quotes.
    static func appendEscaped(_ string: String, to bytes: inout [UInt8]) {
        // 0xE2 leads U+2028 and U+2029 (and other characters, which the slow path copies).
        let needsEscaping = string.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }
        guard needsEscaping else {
            bytes.append(contentsOf: string.utf8)
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar.value {
            case 0x22: bytes.append(contentsOf: #"\""#.utf8)
            case 0x5C: bytes.append(contentsOf: #"\\"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x00..<0x20, 0x2028, 0x2029:
                Self.appendUnicodeEscape(scalar.value, to: &bytes)
            default:
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }
    }

    private static func appendUnicodeEscape(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = UInt8((value >> UInt32(shift)) & 0xF)
            bytes.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }
}
