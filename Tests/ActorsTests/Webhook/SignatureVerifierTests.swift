import Actors
import Foundation
import Testing

@Suite struct SignatureVerifierTests {
    let body = Array(#"{"tx_hash":"a","amount":"1"}"#.utf8)
    let now: Int64 = 1_800_000_000

    @Test func acceptsHexHMACWithOrWithoutPrefix() throws {
        let verifier = try SignatureVerifier(secret: "s3cret")
        let signature = verifier.hexSignature(for: self.body)
        #expect(signature.hasPrefix("sha256="))
        try verifier.verify(body: self.body, headers: .init(signature: signature), now: self.now)
        try verifier.verify(body: self.body, headers: .init(signature: String(signature.dropFirst(7))), now: self.now)
        try verifier.verify(body: self.body, headers: .init(signature: signature.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256=")), now: self.now)
    }

    @Test func knownVector() throws {
        // HMAC-SHA256(key "key", "The quick brown fox jumps over the lazy dog")
        let verifier = try SignatureVerifier(secret: "key")
        let message = Array("The quick brown fox jumps over the lazy dog".utf8)
        try verifier.verify(
            body: message,
            headers: .init(signature: "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"),
            now: self.now
        )
    }

    @Test func refusesMissingWrongOrTamperedSignatures() throws {
        let verifier = try SignatureVerifier(secret: "s3cret")
        let other = try SignatureVerifier(secret: "other")
        let cases: [(SignatureVerifier.Headers, [UInt8])] = [
            (.init(), self.body),
            (.init(signature: other.hexSignature(for: self.body)), self.body),
            (.init(signature: verifier.hexSignature(for: self.body)), self.body + [0x20]),
            (.init(signature: "sha256=zz"), self.body),
            (.init(signature: ""), self.body),
        ]
        for (headers, body) in cases {
            #expect(throws: ServiceError(.unauthorized, "")) { try verifier.verify(body: body, headers: headers, now: self.now) }
        }
    }

    @Test func standardWebhooksWithinTolerance() throws {
        let key = Data("a-32-byte-long-key-for-the-test!".utf8)
        let verifier = try SignatureVerifier(secret: "whsec_" + key.base64EncodedString(), configuration: .init(tolerance: .seconds(300)))
        let signature = verifier.standardSignature(id: "msg_1", timestamp: self.now, body: self.body)
        let headers = SignatureVerifier.Headers(webhookID: "msg_1", webhookTimestamp: "\(self.now)", webhookSignature: "v1,bogus= " + signature)
        try verifier.verify(body: self.body, headers: headers, now: self.now + 299)
        #expect(throws: ServiceError(.unauthorized, "")) { try verifier.verify(body: self.body, headers: headers, now: self.now + 301) }
        #expect(throws: ServiceError(.unauthorized, "")) { try verifier.verify(body: self.body, headers: headers, now: self.now - 301) }
        var wrongID = headers
        wrongID.webhookID = "msg_2"
        #expect(throws: ServiceError(.unauthorized, "")) { try verifier.verify(body: self.body, headers: wrongID, now: self.now) }
        var noTimestamp = headers
        noTimestamp.webhookTimestamp = nil
        #expect(throws: ServiceError(.unauthorized, "")) { try verifier.verify(body: self.body, headers: noTimestamp, now: self.now) }
    }

    @Test func standardWebhooksReferenceVector() throws {
        // The example from the Standard Webhooks specification.
        let verifier = try SignatureVerifier(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let payload = Array(#"{"test": 2432232314}"#.utf8)
        let headers = SignatureVerifier.Headers(
            webhookID: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            webhookTimestamp: "1614265330",
            webhookSignature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        )
        try verifier.verify(body: payload, headers: headers, now: 1_614_265_330)
    }

    @Test func aWhsecSecretMustBeBase64() {
        #expect(throws: ServiceError(.invalidField, "")) { try SignatureVerifier(secret: "whsec_***not base64***") }
    }
}
