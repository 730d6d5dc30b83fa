import Actors
import LoadKit
import Testing

@Suite("WebhookPayload")
struct WebhookPayloadTests {
    static func payload(signing: WebhookPayload.Signing = .none, users: [String] = []) -> WebhookPayload {
        var configuration = WebhookPayload.Configuration()
        configuration.runID = "r1"
        configuration.signing = signing
        configuration.userIDs = users
        return WebhookPayload(configuration: configuration)
    }

    @Test("the body is the documented JSON and the service's decoder accepts it")
    func body() throws {
        let user = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"
        let body = Self.payload(users: [user]).body(7)
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"tx_hash":"bench-r1-7","amount":"1.5","confirmations":12,"user_id":"3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"}"#)
        let record = try DepositRecord(webhookBody: body)
        #expect(record.txHash == "bench-r1-7")
        #expect(record.amount == (try Amount(parsing: "1.5")))
        #expect(record.confirmations == 12)
        #expect(record.userRef == user)
    }

    @Test("without user ids the body has no user_id; users are assigned round-robin")
    func users() throws {
        #expect(!String(decoding: Self.payload().body(1), as: UTF8.self).contains("user_id"))
        let payload = Self.payload(users: ["a", "b"])
        #expect(try DepositRecord(webhookBody: payload.body(2)).userRef == "a")
        #expect(try DepositRecord(webhookBody: payload.body(3)).userRef == "b")
    }

    @Test("the same sequence number gives the same body (a repeat)")
    func repeats() {
        let payload = Self.payload()
        #expect(payload.body(42) == payload.body(42))
        #expect(payload.body(42) != payload.body(43))
    }

    @Test("hex signatures verify with the service's verifier")
    func hexSignature() throws {
        let signer = try SignatureVerifier(secret: "s3cret")
        let payload = Self.payload(signing: .hex(signer))
        let body = payload.body(1)
        let headers = payload.signatureHeaders(body: body, sequence: 1, unixSeconds: 1_700_000_000)
        #expect(headers.map(\.0) == ["X-Signature"])
        try signer.verify(body: body, headers: .init(signature: headers[0].1), now: 1_700_000_000)
        #expect(throws: ServiceError.self) {
            try SignatureVerifier(secret: "other").verify(body: body, headers: .init(signature: headers[0].1), now: 1_700_000_000)
        }
    }

    @Test("Standard Webhooks signatures verify with the service's verifier")
    func standardSignature() throws {
        let signer = try SignatureVerifier(secret: "whsec_c2VjcmV0LWtleS1ieXRlcw==")
        let payload = Self.payload(signing: .standard(signer))
        let body = payload.body(5)
        let headers = Dictionary(uniqueKeysWithValues: payload.signatureHeaders(body: body, sequence: 5, unixSeconds: 1_700_000_000))
        try signer.verify(
            body: body,
            headers: .init(webhookID: headers["webhook-id"], webhookTimestamp: headers["webhook-timestamp"], webhookSignature: headers["webhook-signature"]),
            now: 1_700_000_010
        )
    }
}
