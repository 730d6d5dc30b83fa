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
