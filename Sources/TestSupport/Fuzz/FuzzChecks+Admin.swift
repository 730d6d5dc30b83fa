import Actors
import Foundation

extension FuzzChecks {
    /// FuzzAdmin: the admin request bodies, `CreateUserRequest(jsonBody:)` and
    /// `AssignRequest(jsonBody:)`, on the same raw body.
    ///
    /// - A refusal is 400 (malformed) or 422 (invalid field); a body that is not JSON is 400.
    /// - An accepted username is 1…64 UTF-8 bytes, has no control, format or bidi character,
    ///   no surrounding whitespace, is in NFC, and normalising it again changes nothing; an
    ///   accepted `telegram_id` is positive and is the value of the number sent.
    /// - An accepted assignment's user is the UUID sent.
    public static func admin(_ bytes: [UInt8]) throws(FuzzFailure) {
        let document = try? JSONReader.parse(bytes)
        var object: JSONObject?
        if case .object(let parsed)? = document { object = parsed }

        var user: CreateUserRequest?
        do {
            user = try CreateUserRequest(jsonBody: bytes)
        } catch {
            try self.checkRefusal(error, isJSON: document != nil, "create user")
        }
        if let user { try self.checkAccepted(user, object: object) }

        var assignment: AssignRequest?
        do {
            assignment = try AssignRequest(jsonBody: bytes)
        } catch {
            try self.checkRefusal(error, isJSON: document != nil, "assignment")
        }
        if let assignment {
            guard case .string(let sent)? = object?["user_id"], let uuid = UUID(uuidString: sent) else {
                throw FuzzFailure("assignment accepted without a UUID user_id")
            }
            try FuzzFailure.require(assignment.userID == uuid, "assignment of \(excerpt(sent)) kept \(assignment.userID)")
        }
    }

    private static func checkRefusal(_ error: ServiceError, isJSON: Bool, _ what: String) throws(FuzzFailure) {
        try FuzzFailure.require(error.code == .malformedRequest || error.code == .invalidField, "\(what) refused with \(error.code), not 400/422")
        try FuzzFailure.require(isJSON || error.code == .malformedRequest, "\(what): a body that is not JSON was refused as \(error.code)")
    }

    private static func checkAccepted(_ request: CreateUserRequest, object: JSONObject?) throws(FuzzFailure) {
        let username = request.username
        try FuzzFailure.require(object != nil, "user created from a body that is not a JSON object")
        try FuzzFailure.require((1...64).contains(username.utf8.count), "accepted username of \(username.utf8.count) bytes")
        if let bad = username.unicodeScalars.first(where: self.isControlOrBidi) {
            throw FuzzFailure("accepted username \(excerpt(username)) holds U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        let isSpace = { (scalar: Unicode.Scalar) in scalar.properties.isWhitespace }
        try FuzzFailure.require(
            !isSpace(username.unicodeScalars.first!) && !isSpace(username.unicodeScalars.last!),
            "accepted username \(excerpt(username)) has surrounding whitespace"
        )
        try FuzzFailure.require(
            Array(username.precomposedStringWithCanonicalMapping.unicodeScalars) == Array(username.unicodeScalars),
            "accepted username \(excerpt(username)) is not in NFC"
        )
        let again = try? CreateUserRequest.normalizedUsername(username)
        try FuzzFailure.require(again.map { Array($0.unicodeScalars) } == Array(username.unicodeScalars), "normalising username \(excerpt(username)) again changes it")
        if let id = request.telegramID {
            guard case .number(let literal)? = object?["telegram_id"] else {
                throw FuzzFailure("telegram_id \(id) accepted but no number was sent")
            }
            // The number's value, not its spelling (`5.0` is 5); Foundation's decimal is an
            // independent reading of it, exact for any value that fits an Int64.
            let sent = Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX"))
            try FuzzFailure.require(id > 0 && sent == Decimal(id), "telegram_id \(excerpt(literal)) kept as \(id)")
        }
    }
}
