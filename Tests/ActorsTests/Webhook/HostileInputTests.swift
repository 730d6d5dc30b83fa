import Actors
import Foundation
import Testing

/// Inputs an attacker would send: each was once accepted wrongly, crashed the process or
/// reached a store that could not hold it.
@Suite struct HostileInputTests {
    private func parse(_ json: String) throws(ServiceError) -> DepositRecord {
        try DepositRecord(webhookBody: Array(json.utf8))
    }

    private func expectInvalid(naming field: String, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try self.parse(json)
            Issue.record("accepted \(json.prefix(200))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .invalidField, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(field), "message \"\(error.message)\" should name \(field)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Numbers with long digit strings and exponents

    @Test func aLongMantissaWithALargeNegativeExponentIsItsExactValue() throws {
        // 1 followed by 10,010 zeros, times 10^-10030: 1e-20, below one unit.
        let literal = "1" + String(repeating: "0", count: 10_010) + "e-10030"
        #expect(throws: Amount.ParseError.tooManyDecimals) { try Amount(jsonNumber: literal) }
        self.expectInvalid(naming: "amount", #"{"tx_hash":"t","amount":"# + literal + "}")
        // The same mantissa with an exponent that brings it back to 1.
        #expect(try Amount(jsonNumber: "1" + String(repeating: "0", count: 10_010) + "e-10010").description == "1")
        #expect(try Amount(jsonNumber: "0." + String(repeating: "0", count: 10_000) + "25e10002").description == "25")
    }

    @Test(arguments: [
        ("1e99999999999999999999999999999999", Amount.ParseError.outOfRange),
        ("1e-99999999999999999999999999999999", .tooManyDecimals),
        ("123456789e9223372036854775807", .outOfRange),
        ("1e-9223372036854775808", .tooManyDecimals),
        ("1e20", .outOfRange),
        ("1e-19", .tooManyDecimals),
        ("100000000000000000000000000000000000000000", .outOfRange),
    ])
    func exponentsOfAnyLengthAreDecidedExactly(literal: String, error: Amount.ParseError) {
        #expect(throws: error) { try Amount(jsonNumber: literal) }
    }

    @Test(arguments: [
        ("0e99999999999999999999999999", "0"), ("0.000e-99999999999999", "0"), ("99999999999999999999.999999999999999999e0", "99999999999999999999.999999999999999999"),
        ("9.9999999999999999999999999999999999999e19", "99999999999999999999.999999999999999999"), ("1e-18", "0.000000000000000001"),
        ("12.5e-1", "1.25"), ("-1E+2", "-100"),
    ])
    func exponentFormsAtTheEdges(literal: String, canonical: String) throws {
        #expect(try Amount(jsonNumber: literal).description == canonical)
    }

    // MARK: Signatures

    @Test(arguments: ["-9223372036854775808", "9223372036854775807", "-1", "99999999999999999999", "0x10", ""])
    func extremeTimestampsAreRefusedNotTrapped(timestamp: String) throws {
        let verifier = try SignatureVerifier(secret: "s3cret")
        let body = Array(#"{"tx_hash":"a","amount":"1"}"#.utf8)
        let signature = verifier.standardSignature(id: "msg_1", timestamp: 1_800_000_000, body: body)
        let headers = SignatureVerifier.Headers(webhookID: "msg_1", webhookTimestamp: timestamp, webhookSignature: signature)
        for now in [Int64.min, -1, 0, 1_800_000_000, Int64.max] {
            #expect(throws: ServiceError(.unauthorized, "")) { try verifier.verify(body: body, headers: headers, now: now) }
        }
    }

    @Test func signatureListsAreBounded() throws {
        let verifier = try SignatureVerifier(secret: "s3cret")
        let body = Array(#"{"tx_hash":"a","amount":"1"}"#.utf8)
        let now: Int64 = 1_800_000_000
        let valid = verifier.standardSignature(id: "msg_1", timestamp: now, body: body)
        let junk = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let limit = SignatureVerifier.maximumSignatureCandidates
        let atLimit = Array(repeating: junk, count: limit - 1) + [valid]
        try verifier.verify(body: body, headers: .init(webhookID: "msg_1", webhookTimestamp: "\(now)", webhookSignature: atLimit.joined(separator: " ")), now: now)
        let overLimit = Array(repeating: junk, count: 1_600) + [valid]
        do {
            try verifier.verify(body: body, headers: .init(webhookID: "msg_1", webhookTimestamp: "\(now)", webhookSignature: overLimit.joined(separator: " ")), now: now)
            Issue.record("a list of 1,601 signatures was accepted")
        } catch {
            #expect(error.code == .unauthorized)
            #expect(error.message.contains("more than \(limit)"))
        }
    }

    // MARK: Strings a store cannot hold

    @Test(arguments: [
        (#"{"tx_hash":"t","amount":"1","user_id":"a\u0000b"}"#, "user_id"),
        (#"{"tx_hash":"t","amount":"1","metadata":{"user_id":"a\u0000b"}}"#, "metadata"),
        (#"{"tx_hash":"t","amount":"1","user_id":"ok","metadata":{"note":"line\nbreak"}}"#, "metadata.note"),
        (#"{"tx_hash":"t","amount":"1","metadata":{"a":{"b":[1,"x\u0001"]}}}"#, "metadata.a.b[1]"),
        (#"{"tx_hash":"t","amount":"1","metadata":{"k\u0000":1}}"#, "metadata.k"),
        (#"{"tx_hash":"t","amount":"1","metadata":{"c1":"\u0085"}}"#, "metadata.c1"),
        (#"{"tx_hash":"t","amount":"1","user_id":"admin\u202Egpj"}"#, "user_id"),
        (#"{"tx_hash":"t","amount":"1","user_id":"zero\u200Bwidth"}"#, "user_id"),
        (#"{"tx_hash":"t","amount":"1","user_id":""}"#, "user_id"),
    ])
    func controlCharactersAreRefusedNamingTheField(json: String, field: String) {
        self.expectInvalid(naming: field, json)
    }

    @Test func printableUnicodeInMetadataIsKept() throws {
        let record = try self.parse(#"{"tx_hash":"t","amount":"1","metadata":{"note":"café ₿ 🚀","user_id":"ünï"}}"#)
        #expect(record.userRef == "ünï")
        #expect(record.metadata == #"{"note":"café ₿ 🚀","user_id":"ünï"}"#)
    }

    // MARK: Canonical identity

    @Test func spellingsOfOneHashAreOneKey() throws {
        let digits = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"
        let spellings = ["0x" + digits, "0x" + digits.uppercased(), "0X" + digits, digits, digits.uppercased()]
        let keys = try spellings.map { try self.parse(#"{"tx_hash":""# + $0 + #"","amount":"1"}"#).key }
        #expect(Set(keys).count == 1)
        #expect(keys[0].txHash == "0x" + digits)
    }

    @Test(arguments: ["smoke-test-1", "SMOKE-test-1", "0xABC", "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab1", "0x0x" + String(repeating: "a", count: 62)])
    func opaqueReferencesStayAsSent(reference: String) throws {
        #expect(try self.parse(#"{"tx_hash":""# + reference + #"","amount":"1"}"#).txHash == reference)
    }

    @Test func uuidUserIDsCompareCanonically() throws {
        let lower = "3f1c2b9e-1d2a-4c5b-9e8f-0a1b2c3d4e5f"
        let first = try self.parse(#"{"tx_hash":"t","amount":"1","user_id":""# + lower + #""}"#)
        let second = try self.parse(#"{"tx_hash":"t","amount":"1","user_id":""# + lower.uppercased() + #""}"#)
        let third = try self.parse(#"{"tx_hash":"t","amount":"1","metadata":{"user_id":""# + lower.uppercased() + #""}}"#)
        #expect(second.userRef == lower)
        #expect(third.userRef == lower)
        #expect(first.conflict(with: second) == nil)
        // Names that are not UUIDs keep their case.
        #expect(try self.parse(#"{"tx_hash":"t","amount":"1","user_id":"Alice"}"#).userRef == "Alice")
    }
}
