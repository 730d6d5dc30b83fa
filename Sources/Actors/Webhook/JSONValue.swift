/// A parsed JSON value that keeps numbers as their literal text.
///
/// Money must not pass through a binary floating-point number, and Foundation's decoders
/// offer no way to read a number's digits as written; ``JSONReader`` keeps them.
public indirect enum JSONValue: Sendable, Equatable {
    case object(JSONObject)
    case array([JSONValue])
    case string(String)
    /// The number exactly as written, e.g. `"1.50"` or `"2e-3"`.
    case number(String)
    case bool(Bool)
    case null

    /// The JSON type name used in error messages.
    public var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}

/// A JSON object: members in document order, each with the byte range of its value in the
/// source document (so a member such as `metadata` can be stored exactly as it arrived).
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
        /// Where the value's text lies in the parsed bytes.
        public var sourceRange: Range<Int>
    }

    public var members: [Member]

    public init(members: [Member]) {
        self.members = members
    }

    public subscript(key: String) -> JSONValue? {
        self.members.first { $0.key == key }?.value
    }
}
