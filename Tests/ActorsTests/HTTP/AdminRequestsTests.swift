import Actors
import Foundation
import Testing

/// The admin bodies are parsed by pure functions: 400 for what is not a JSON object or
/// lacks a field, 422 naming the field for a bad value, and usernames normalised.
@Suite struct AdminRequestsTests {
    private func user(_ json: String) throws(ServiceError) -> CreateUserRequest {
        try CreateUserRequest(jsonBody: Array(json.utf8))
    }

    private func refusal(_ json: String) -> ServiceError? {
        do {
            _ = try self.user(json)
            return nil
        } catch {
            return error
        }
    }

    @Test func usernamesAreTrimmedAndComposed() throws {
        #expect(try self.user(#"{"username":"  alice \n"}"#).username == "alice")
        // "é" as e + U+0301 becomes the single scalar U+00E9.
        let composed = try self.user(#"{"username":"Jose\u0301"}"#).username
        #expect(composed == "Jos\u{E9}" && composed.unicodeScalars.count == 4)
        #expect(try self.user(#"{"username":"bob","telegram_id":123456789}"#).telegramID == 123_456_789)
        #expect(try self.user(#"{"username":"bob","telegram_id":null}"#).telegramID == nil)
    }

    @Test(arguments: [
        #"{"username":"a\u0000b"}"#, #"{"username":"a\u001bb"}"#, #"{"username":"a\u007fb"}"#, #"{"username":"a\u0085b"}"#,
        #"{"username":"admin\u202e"}"#, #"{"username":"\u2066x\u2069"}"#, #"{"username":"a\u200eb"}"#, #"{"username":"a\u200bb"}"#,
        #"{"username":"a\ufeffb"}"#, #"{"username":"a\u2028b"}"#, #"{"username":"a\nb"}"#, #"{"username":"   "}"#, #"{"username":""}"#,
        #"{"username":"\u0000"}"#,
    ])
    func controlBidiAndEmptyUsernamesAre422NamingTheField(json: String) {
        let error = self.refusal(json)
        #expect(error?.code == .invalidField && error?.message.contains("username") == true, "\(String(describing: error))")
    }

    @Test func theLengthLimitIsCountedAfterNormalisation() throws {
        let sixtyFour = String(repeating: "a", count: 64)
        #expect(try self.user(#"{"username":"  \#(sixtyFour)  "}"#).username == sixtyFour)
        #expect(self.refusal(#"{"username":"\#(sixtyFour)a"}"#)?.code == .invalidField)
        // 32 two-byte letters fit; one more does not.
        #expect(try self.user(#"{"username":"\#(String(repeating: "é", count: 32))"}"#).username.utf8.count == 64)
        #expect(self.refusal(#"{"username":"\#(String(repeating: "é", count: 33))"}"#)?.code == .invalidField)
    }

    @Test(arguments: [
        "1.5", "1e-3", "-1", "0", "-0", "0.0", "9223372036854775808", "9.223372036854775808e18", "99999999999999999999999999999",
        "-9223372036854775809", "\"12\"", "true",
        "[1]", "12.5e-1",
    ])
    func telegramIDMustBeAPositiveWholeNumber(literal: String) {
        let error = self.refusal(#"{"username":"bob","telegram_id":\#(literal)}"#)
        #expect(error?.code == .invalidField && error?.message.contains("telegram_id") == true, "\(literal): \(String(describing: error))")
    }

    /// JSON has one number type: `5.0` and `5e0` denote the integer 5, as JSON Schema's
    /// `integer` (docs/openapi.yaml) says.
    @Test(arguments: ["5", "5.0", "5e0", "0.5e1", "50e-1", "5.000"])
    func aWholeNumberInAnySpellingIsATelegramID(literal: String) throws {
        #expect(try self.user(#"{"username":"bob","telegram_id":\#(literal)}"#).telegramID == 5)
    }

    @Test func theLargestTelegramIDIsAccepted() throws {
        #expect(try self.user(#"{"username":"bob","telegram_id":9223372036854775807}"#).telegramID == .max)
    }

    @Test(arguments: ["", "{", "[]", "\"x\"", "{}", #"{"username":null}"#, #"{"telegram_id":1}"#])
    func malformedOrMissingIs400(json: String) {
        #expect(self.refusal(json)?.code == .malformedRequest, "\(json)")
    }

    @Test func assignTakesAUUIDInAnyCase() throws {
        let id = UUID()
        #expect(try AssignRequest(jsonBody: Array(#"{"user_id":"\#(id.uuidString.lowercased())"}"#.utf8)).userID == id)
        #expect(try AssignRequest(jsonBody: Array(#"{"user_id":"\#(id.uuidString)"}"#.utf8)).userID == id)
        for (json, code) in [
            (#"{}"#, ServiceError.Code.malformedRequest), ("nope", .malformedRequest), (#"{"user_id":null}"#, .malformedRequest),
            (#"{"user_id":"x"}"#, .invalidField), (#"{"user_id":7}"#, .invalidField), (#"{"user_id":"\u0000"}"#, .invalidField),
        ] {
            do {
                _ = try AssignRequest(jsonBody: Array(json.utf8))
                Issue.record("accepted \(json)")
            } catch {
                #expect(error.code == code, "\(json)")
                if code == .invalidField { #expect(error.message.contains("user_id")) }
            }
        }
    }
}
