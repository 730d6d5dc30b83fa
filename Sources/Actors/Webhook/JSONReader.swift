/// A strict RFC 8259 JSON parser for request bodies.
///
/// Strict on purpose: invalid UTF-8, unpaired surrogates, control characters in strings,
/// leading zeros, trailing commas, duplicate keys and trailing data are all errors, and
/// nesting deeper than ``maximumDepth`` is refused before it can exhaust the stack.
/// Numbers are kept as written (see ``JSONValue/number(_:)``).
public struct JSONReader {
    /// Why a document is not acceptable JSON. ``description`` never quotes the input.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        /// Byte offset of the problem.
        public var offset: Int

        public var description: String { "\(self.reason) at byte \(self.offset)" }
    }

    /// Arrays and objects nested deeper than this are refused.
    public static let maximumDepth = 64

    /// Objects up to this many keys are checked for duplicates by a scan; larger ones by a set.
    static let scannedKeys = 8

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a complete document.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.parseValue()
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.error("unexpected data after the JSON value") }
        return value
    }

    private func error(_ reason: String) -> SyntaxError {
        SyntaxError(reason: reason, offset: self.index)
    }

    private var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    private mutating func skipWhitespace() {
        while let byte = self.current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            self.index += 1
        }
    }

    private mutating func expect(_ literal: StaticString, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
        let count = literal.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { throw self.error("invalid literal") }
        let matches = literal.withUTF8Buffer { expected in
            expected.indices.allSatisfy { expected[$0] == self.bytes[self.index + $0] }
        }
        guard matches else { throw self.error("invalid literal") }
        self.index += count
        return value
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        guard let byte = self.current else { throw self.error("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try self.parseObject())
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"): return try self.expect("true", .bool(true))
        case UInt8(ascii: "f"): return try self.expect("false", .bool(false))
        case UInt8(ascii: "n"): return try self.expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try self.parseNumber())
        default: throw self.error("unexpected character")
        }
    }

    private mutating func enter() throws(SyntaxError) {
        self.depth += 1
        guard self.depth <= JSONReader.maximumDepth else { throw self.error("nesting deeper than \(JSONReader.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONObject {
        try self.enter()
        self.index += 1
        var members: [JSONObject.Member] = []
        // Small objects are checked for duplicate keys by a scan; past a few keys a set keeps
        // the check linear in the number of keys (a body of thousands of distinct keys must not
        // cost quadratic time).
        var keys: Set<String> = []
        self.skipWhitespace()
        if self.current == UInt8(ascii: "}") {
            self.index += 1
            self.depth -= 1
            return JSONObject(members: members)
        }
        while true {
            self.skipWhitespace()
            guard self.current == UInt8(ascii: "\"") else { throw self.error("expected a string key") }
            let key = try self.parseString()
            if members.count < JSONReader.scannedKeys {
                guard !members.contains(where: { $0.key == key }) else { throw self.error("duplicate key") }
            } else {
                if keys.isEmpty { keys = Set(members.lazy.map(\.key)) }
                guard keys.insert(key).inserted else { throw self.error("duplicate key") }
            }
            self.skipWhitespace()
            guard self.current == UInt8(ascii: ":") else { throw self.error("expected ':'") }
            self.index += 1
            self.skipWhitespace()
            let start = self.index
            let value = try self.parseValue()
            members.append(.init(key: key, value: value, sourceRange: start..<self.index))
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "}"):
                self.index += 1
                self.depth -= 1
                return JSONObject(members: members)
            default: throw self.error("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        try self.enter()
        self.index += 1
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.current == UInt8(ascii: "]") {
            self.index += 1
            self.depth -= 1
            return .array(elements)
        }
        while true {
            self.skipWhitespace()
            elements.append(try self.parseValue())
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "]"):
                self.index += 1
                self.depth -= 1
                return .array(elements)
            default: throw self.error("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = self.index
        if self.current == UInt8(ascii: "-") { self.index += 1 }
        guard let first = self.current, isDigit(first) else { throw self.error("invalid number") }
        self.index += 1
        if first == UInt8(ascii: "0"), let next = self.current, isDigit(next) {
            throw self.error("leading zeros in a number")
        }
        self.skipDigits()
        if self.current == UInt8(ascii: ".") {
            self.index += 1
            guard let next = self.current, isDigit(next) else { throw self.error("invalid number") }
            self.skipDigits()
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            self.index += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
            guard let next = self.current, isDigit(next) else { throw self.error("invalid number") }
            self.skipDigits()
        }
        return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
    }

    private mutating func skipDigits() {
        while let byte = self.current, isDigit(byte) { self.index += 1 }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        self.index += 1
        let start = self.index
        // Fast path: no escapes, ASCII only.
        while let byte = self.current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20, byte < 0x80 {
            self.index += 1
        }
        if self.current == UInt8(ascii: "\"") {
            let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
            self.index += 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        for byte in self.bytes[start..<self.index] { scalars.append(Unicode.Scalar(byte)) }
        while true {
            guard let byte = self.current else { throw self.error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                self.index += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                self.index += 1
                scalars.append(try self.parseEscape())
            case 0..<0x20:
                throw self.error("control character in string")
            case 0..<0x80:
                scalars.append(Unicode.Scalar(byte))
                self.index += 1
            default:
                scalars.append(try self.parseUTF8Scalar())
            }
        }
    }

    private mutating func parseEscape() throws(SyntaxError) -> Unicode.Scalar {
        guard let byte = self.current else { throw self.error("unterminated escape") }
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try self.parseHex4()
            if (0xD800...0xDBFF).contains(high) {
                guard self.current == UInt8(ascii: "\\"), self.index + 1 < self.bytes.count,
                      self.bytes[self.index + 1] == UInt8(ascii: "u")
                else { throw self.error("unpaired surrogate") }
                self.index += 2
                let low = try self.parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw self.error("unpaired surrogate") }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else { throw self.error("unpaired surrogate") }
            return scalar
        default:
            throw self.error("invalid escape")
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        guard self.index + 4 <= self.bytes.count else { throw self.error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw self.error("invalid \\u escape")
            }
            value = value << 4 | digit
            self.index += 1
        }
        return value
    }

    /// Decodes one multi-byte UTF-8 sequence, refusing overlong forms and surrogates.
    private mutating func parseUTF8Scalar() throws(SyntaxError) -> Unicode.Scalar {
        let lead = self.bytes[self.index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: throw self.error("invalid UTF-8")
        }
        guard self.index + length <= self.bytes.count else { throw self.error("invalid UTF-8") }
        for offset in 1..<length {
            let byte = self.bytes[self.index + offset]
            guard byte & 0xC0 == 0x80 else { throw self.error("invalid UTF-8") }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { throw self.error("invalid UTF-8") }
        self.index += length
        return scalar
    }
}

private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}
