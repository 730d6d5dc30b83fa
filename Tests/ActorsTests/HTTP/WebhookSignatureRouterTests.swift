import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// With `WEBHOOK_SECRET` set, the webhook route takes only signed bodies (three hex headers
/// or Standard Webhooks within the tolerance); every refusal is 401 in the error shape, logged
/// as a security event, and reaches no store. In-process over a scripted ingest.
@Suite struct WebhookSignatureRouterTests {
    static let secret = "test-secret"
    static let body = #"{"tx_hash":"s1","amount":"1"}"#
    /// The wall clock the route reads (Unix seconds).
    static let now: Int64 = 1_800_000_000

    static func harness() -> RouterHarness {
        RouterHarness {
            $0.configuration.webhookSecret = Self.secret
            $0.configuration.signatureTolerance = .seconds(300)
            $0.clock = WallClock { Date(timeIntervalSince1970: Double(Self.now)) }
        }
    }

    static func standardHeaders(id: String = "msg_1", timestamp: Int64, signature: String) -> HTTPFields {
        [
            .contentType: "application/json",
            HTTPField.Name("webhook-id")!: id,
            HTTPField.Name("webhook-timestamp")!: "\(timestamp)",
            HTTPField.Name("webhook-signature")!: signature,
        ]
    }

    @Test(arguments: ["X-Signature", "X-Hub-Signature-256", "X-Webhook-Signature"])
    func aHexSignatureInAnyOfTheThreeHeadersIsAccepted(header: String) async throws {
        let verifier = try SignatureVerifier(secret: Self.secret)
        let harness = Self.harness()
        try await harness.test { client in
            let signed = try await client.webhook(
                Self.body, headers: [.contentType: "application/json", HTTPField.Name(header)!: verifier.hexSignature(for: Array(Self.body.utf8))]
            )
            #expect(signed.status == .accepted, "\(header): \(signed.text)")
        }
        #expect(harness.ingest.submitted.count == 1)
    }

    @Test func aStandardWebhooksSignatureWithinTheToleranceIsAccepted() async throws {
        let verifier = try SignatureVerifier(secret: Self.secret)
        let harness = Self.harness()
        try await harness.test { client in
            for timestamp in [Self.now, Self.now - 300, Self.now + 300] {
                let signature = verifier.standardSignature(id: "msg_1", timestamp: timestamp, body: Array(Self.body.utf8))
                let response = try await client.webhook(Self.body, headers: Self.standardHeaders(timestamp: timestamp, signature: signature))
                #expect(response.status == .accepted, "timestamp \(timestamp - Self.now) s from now: \(response.text)")
            }
        }
        #expect(harness.ingest.submitted.count == 3)
    }

    struct Refusal: Sendable, CustomStringConvertible {
        var name: String
        var headers: @Sendable (SignatureVerifier) -> HTTPFields
        var error: String
        var description: String { self.name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "unsigned", headers: { _ in [.contentType: "application/json"] },
                error: "missing signature: send X-Signature or the webhook-signature headers"),
        Refusal(name: "wrong hex", headers: { _ in [.contentType: "application/json", HTTPField.Name("X-Signature")!: "sha256=00"] },
                error: "invalid signature"),
        Refusal(name: "hex of another body", headers: { verifier in
            [.contentType: "application/json", HTTPField.Name("X-Signature")!: verifier.hexSignature(for: Array("{}".utf8))]
        }, error: "invalid signature"),
        Refusal(name: "standard, too old", headers: { verifier in
            Self.standardHeaders(timestamp: Self.now - 301, signature: verifier.standardSignature(id: "msg_1", timestamp: Self.now - 301, body: Array(Self.body.utf8)))
        }, error: "webhook-timestamp is outside the allowed tolerance"),
        Refusal(name: "standard, from the future", headers: { verifier in
            Self.standardHeaders(timestamp: Self.now + 301, signature: verifier.standardSignature(id: "msg_1", timestamp: Self.now + 301, body: Array(Self.body.utf8)))
        }, error: "webhook-timestamp is outside the allowed tolerance"),
        Refusal(name: "standard, signed for another id", headers: { verifier in
            Self.standardHeaders(id: "msg_2", timestamp: Self.now, signature: verifier.standardSignature(id: "msg_1", timestamp: Self.now, body: Array(Self.body.utf8)))
        }, error: "invalid signature"),
        Refusal(name: "standard, no webhook-id", headers: { verifier in
            var headers = Self.standardHeaders(timestamp: Self.now, signature: verifier.standardSignature(id: "msg_1", timestamp: Self.now, body: Array(Self.body.utf8)))
            headers[HTTPField.Name("webhook-id")!] = nil
            return headers
        }, error: "missing webhook-id or webhook-timestamp header"),
        Refusal(name: "standard, timestamp not a number", headers: { _ in
            var headers = Self.standardHeaders(timestamp: Self.now, signature: "v1,AAAA")
            headers[HTTPField.Name("webhook-timestamp")!] = "soon"
            return headers
        }, error: "webhook-timestamp must be Unix seconds"),
    ]

    @Test(arguments: Self.refusals)
    func aMissingOrWrongSignatureIs401AndASecurityEvent(refusal: Refusal) async throws {
        let verifier = try SignatureVerifier(secret: Self.secret)
        let harness = Self.harness()
        try await harness.test { client in
            let response = try await client.webhook(Self.body, headers: refusal.headers(verifier))
            #expect(response.status == .unauthorized)
            #expect(Set(response.json.keys) == ["ok", "error"])
            #expect(response.json["ok"] as? Bool == false)
            #expect(response.json["error"] as? String == refusal.error, "\(response.text)")
        }
        #expect(harness.ingest.submitted.isEmpty)
        let events = harness.logs.records.filter { $0.message == "webhook_unauthorized" }
        #expect(events.count == 1)
        #expect(events.first?.metadata["security_event"] == "true")
        #expect(events.first?.metadata["reason"] == refusal.error)
    }

    @Test func withoutASecretUnsignedWebhooksAreTakenAndTheRouterWarns() async throws {
        let harness = RouterHarness()
        try await harness.test { client async throws in
            #expect(try await client.webhook(Self.body).status == .accepted)
        }
        #expect(harness.logs.records.contains { $0.message == "webhook_signatures_disabled" && $0.level == .warning })
    }

    @Test func aWhsecSecretThatIsNotBase64StopsTheRouterFromBeingBuilt() {
        let harness = RouterHarness { $0.configuration.webhookSecret = "whsec_!!!" }
        let error = #expect(throws: ServiceError.self) { _ = try harness.builder.makeRouter() }
        #expect(error?.code == .invalidField)
    }
}
