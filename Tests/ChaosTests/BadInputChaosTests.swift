import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PropertyBased
import Synchronization
import TestSupport
import Testing

/// Hostile bodies over real HTTP: never a 5xx, never a crash, nothing stored that was not
/// answered 202, and the service answers normally afterwards.
@Suite(.serialized, .timeLimit(.minutes(6))) struct BadInputChaosTests {
    static let refusals: Set<Int> = [400, 422]

    @Test(arguments: TestBackend.available)
    func generatedInvalidBodiesAreRefusedAndStoreNothing(backend: TestBackend) async throws {
        let cases = ChaosSettings.current.badInputCases
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    await propertyCheck(count: cases, input: HostileBodies.invalidWebhook) { body in
                        let response = try await client.webhookBytes(body)
                        #expect(Self.refusals.contains(Int(response.status.code)), "\(response.status) for \(preview(body))")
                        #expect(response.isErrorBody, "error body for \(preview(body)): \(response.text.prefix(200))")
                    }
                    await propertyCheck(count: cases, input: Gen.uint8(in: 0...255).array(of: 0...512)) { body in
                        let response = try await client.webhookBytes(body)
                        #expect(Self.refusals.contains(Int(response.status.code)), "\(response.status) for \(preview(body))")
                        #expect(response.isErrorBody)
                    }
                }
                try await expectHealthy(running, storedDeposits: 0)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func mutatedBodiesAreAcceptedOrRefusedAndOnlyAcceptedOnesAreStored(backend: TestBackend) async throws {
        let cases = ChaosSettings.current.badInputCases
        let accepted = AcceptedIDs()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    await propertyCheck(count: cases, input: HostileBodies.mutatedWebhook) { body in
                        let response = try await client.webhookBytes(body)
                        let code = Int(response.status.code)
                        #expect([202, 400, 409, 422].contains(code), "\(response.status) for \(preview(body))")
                        if code == 202, let txID = response.json["tx_id"] as? String { accepted.insert(txID) }
                    }
                    await propertyCheck(count: cases / 3, input: HostileBodies.validWebhook) { body in
                        let response = try await client.webhookBytes(body)
                        #expect(response.status == .accepted, "\(response.status) for \(preview(body)): \(response.text.prefix(200))")
                        if let txID = response.json["tx_id"] as? String { accepted.insert(txID) }
                    }
                }
                try await expectHealthy(running, storedDeposits: accepted.count)
                #expect(try await running.service.store.verify() == [])
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: [UInt8]
        var contentType: String? = "application/json"
        var status: Set<Int>
        var testDescription: String { self.name }
    }

    static let valid = Array(#"{"tx_hash":"edge-1","amount":"1.5","confirmations":3,"metadata":{"user_id":"test"}}"#.utf8)

    static func withField(_ field: String) -> [UInt8] {
        Array(#"{"tx_hash":"edge-2","amount":"1",\#(field)}"#.utf8)
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for length in 0..<valid.count {
            cases.append(Case(name: "truncated at \(length)", body: Array(valid[..<length]), status: [400]))
        }
        cases += [
            Case(name: "65 nested arrays", body: withField(#""metadata":{"a":"# + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "}"), status: [400]),
            Case(name: "9000 nested objects", body: withField(#""metadata":"# + String(repeating: #"{"a":"#, count: 9000) + "1" + String(repeating: "}", count: 9000)), status: [400]),
            Case(name: "20000 nested arrays at the top", body: Array((String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)).utf8), status: [400]),
            Case(name: "unclosed nesting", body: Array(String(repeating: "[", count: 30_000).utf8), status: [400]),
            Case(name: "amount 1e400", body: Array(#"{"tx_hash":"edge-3","amount":1e400}"#.utf8), status: [422]),
            Case(name: "amount of 60 digits", body: Array(#"{"tx_hash":"edge-4","amount":"1\#(String(repeating: "0", count: 60))"}"#.utf8), status: [422]),
            Case(name: "amount of 5000 digits", body: Array(#"{"tx_hash":"edge-5","amount":1\#(String(repeating: "0", count: 5000))}"#.utf8), status: [422]),
            Case(name: "amount 1e-400", body: Array(#"{"tx_hash":"edge-6","amount":1e-400}"#.utf8), status: [422]),
            Case(name: "amount exponent overflow", body: Array(#"{"tx_hash":"edge-7","amount":1e99999999999999999999}"#.utf8), status: [422]),
            Case(name: "confirmations 1e30", body: withField(#""confirmations":1e30"#), status: [422]),
            Case(name: "confirmations 2^63", body: withField(#""confirmations":9223372036854775808"#), status: [422]),
            Case(name: "log_index 2^64", body: withField(#""log_index":18446744073709551616"#), status: [422]),
            Case(name: "NUL in tx_hash", body: Array(#"{"tx_hash":"a\u0000b","amount":"1"}"#.utf8), status: [422]),
            Case(name: "raw NUL in a string", body: Array(#"{"tx_hash":"a"#.utf8) + [0] + Array(#"b","amount":"1"}"#.utf8), status: [400]),
            // Not valid UTF-16 either way: refused as malformed, or as a tx_hash that is not printable ASCII.
            Case(name: "lone surrogate escape", body: Array(#"{"tx_hash":"\udc00","amount":"1"}"#.utf8), status: [400, 422]),
            Case(name: "duplicate amount", body: Array(#"{"tx_hash":"edge-8","amount":"1","amount":"100"}"#.utf8), status: [400]),
        ]
        for (name, bytes) in [("0xFF", [0xFF]), ("overlong slash", [0xC0, 0xAF]), ("UTF-16 surrogate", [0xED, 0xA0, 0x80]),
                              ("cut sequence", [0xE2, 0x82]), ("five-byte form", [0xF8, 0x88, 0x80, 0x80, 0x80]), ("lone continuation", [0x80])] as [(String, [UInt8])] {
            cases.append(Case(name: "invalid UTF-8 in tx_hash: \(name)", body: Array(#"{"tx_hash":"a"#.utf8) + bytes + Array(#"","amount":"1"}"#.utf8), status: [400]))
            cases.append(Case(name: "invalid UTF-8 in metadata: \(name)", body: withField(#""metadata":{"n":"x"#) + bytes + Array(#""}}"#.utf8), status: [400]))
        }
        for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx",
                     "text/json", "application/xml", "", "json", "application/json-seq", "*/*"] {
            cases.append(Case(name: "Content-Type \(type.isEmpty ? "empty" : type)", body: valid, contentType: type, status: [415]))
        }
        cases.append(Case(name: "no Content-Type", body: valid, contentType: nil, status: [415]))
        cases.append(Case(name: "body over MAX_BODY_BYTES", body: withField(#""pad":""# + String(repeating: "x", count: 70_000) + #"""#), status: [413]))
        return cases
    }()

    @Test(arguments: TestBackend.available)
    func edgeCasesGetTheirDocumentedRefusal(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                for refusal in Self.cases {
                    // A fresh connection each: the server may close one after a refusal.
                    let response = try await running.withClient { client in
                        var headers: HTTPFields = [:]
                        if let type = refusal.contentType { headers[.contentType] = type }
                        return try await client.post("/api/v1/webhooks/bep20", headers: headers, body: ByteBuffer(bytes: refusal.body))
                    }
                    #expect(refusal.status.contains(Int(response.status.code)), "\(refusal.name): \(response.status) \(response.text.prefix(160))")
                    #expect(response.isErrorBody, "\(refusal.name): \(response.text.prefix(160))")
                }
                // Chunked, so the limit can only be enforced while the bytes arrive.
                let chunked = try await running.withClient { client in
                    var request = TestClient.Request(
                        "/api/v1/webhooks/bep20", method: .post, headers: [.contentType: "application/json", .transferEncoding: "chunked"],
                        body: ByteBuffer(repeating: UInt8(ascii: " "), count: 4 << 20)
                    )
                    request.head.headerFields[.contentLength] = nil
                    return try await client.execute(request)
                }
                #expect(chunked.status == .contentTooLarge)
                try await expectHealthy(running, storedDeposits: 0)
            }
        }
    }
}
