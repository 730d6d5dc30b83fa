import Foundation

/// The body of `POST /api/v1/admin/users`: `{"username": "...", "telegram_id": 123}`.
///
/// Parsing is pure and total: any byte sequence either yields a request or a
/// ``ServiceError`` (400 when the body is not a JSON object or lacks `username`,
/// 422 naming the field when a value is wrong).
public struct CreateUserRequest: Sendable, Equatable {
    /// The longest username, in UTF-8 bytes after normalisation.
    public static let maximumUsernameBytes = 64

    /// Trimmed of surrounding whitespace and in Unicode NFC.
    public var username: String
    /// A positive 64-bit integer when present.
    public var telegramID: Int64?

    public init(username: String, telegramID: Int64?) {
        self.username = username
        self.telegramID = telegramID
    }

    public init(jsonBody: [UInt8]) throws(ServiceError) {
        let body = try AdminRequestBody.object(jsonBody)
        guard let value = body["username"], value != .null else {
            throw ServiceError.malformed("missing required field: username")
        }
        guard case .string(let raw) = value else { throw ServiceError.invalid("username must be a string") }
        self.username = try Self.normalizedUsername(raw)
        switch body["telegram_id"] {
        case nil, .null?:
            self.telegramID = nil
        case .number(let literal)?:
            self.telegramID = try Self.telegramID(literal)
        default:
            throw ServiceError.invalid("telegram_id must be an integer")
        }
    }

    /// Trims surrounding whitespace, composes to NFC, and refuses what cannot be shown
    /// or stored safely: control characters (Cc), format and bidi controls (Cf, such as
    /// U+200E, U+202A–U+202E, U+2066–U+2069, zero-width characters), line and paragraph
    /// separators, and an empty or over-long result.
    public static func normalizedUsername(_ raw: String) throws(ServiceError) -> String {
        let username = raw.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        guard !username.isEmpty, username.utf8.count <= Self.maximumUsernameBytes else {
            throw ServiceError.invalid("username must be 1 to \(Self.maximumUsernameBytes) bytes after trimming")
        }
        for scalar in username.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate:
                throw ServiceError.invalid("username must not contain control or bidi characters")
            default:
                continue
            }
        }
        return username
    }

    /// A whole JSON number (`5`, `5.0`, `5e0`) within 1...Int64.max.
    static func telegramID(_ literal: String) throws(ServiceError) -> Int64 {
        guard let value = JSONInteger.value(literal), value > 0 else {
            throw ServiceError.invalid("telegram_id must be a positive integer below 2^63")
        }
        return value
    }
}
