@testable import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// Every answer of `POST /api/v1/webhooks/bep20`, in-process over a scripted ingest: each
/// validation rule's status and `{"ok":false,"error":...}` body, signatures, the body limit,
/// and the ingest's own answers (409, 503 with `Retry-After`).
@Suite struct WebhookValidationRouterTests {
    static let smoke = #"{"tx_hash":"smoke-test-1","confirmations":12,"amount":"1.0","metadata":{"user_id":"test"}}"#

    struct Rejection: Sendable, CustomStringConvertible {
        var body: String
        var headers: HTTPFields = [.contentType: "application/json"]
        var status: HTTPResponse.Status
        var mentions: String
        var description: String { "\(self.status.code) \(self.mentions): \(self.body.prefix(60))" }
    }

    static let rejections: [Rejection] = [
        Rejection(body: "{not json", status: .badRequest, mentions: "JSON"),
        Rejection(body: #"{"amount":"1"}"#, status: .badRequest, mentions: "tx_hash"),
        Rejection(body: #"{"tx_hash":"r1"}"#, status: .badRequest, mentions: "amount"),
        Rejection(body: #"[1,2]"#, status: .badRequest, mentions: "object"),
        Rejection(body: #"{"tx_hash":"r2","amount":"abc"}"#, status: .unprocessableContent, mentions: "amount"),
        Rejection(body: #"{"tx_hash":"r3","amount":"-5"}"#, status: .unprocessableContent, mentions: "amount"),
        Rejection(body: #"{"tx_hash":"r4","amount":-5}"#, status: .unprocessableContent, mentions: "amount"),
        Rejection(body: #"{"tx_hash":"r5","amount":"1.0000000000000000001"}"#, status: .unprocessableContent, mentions: "amount"),
        Rejection(body: #"{"tx_hash":"r6","amount":"1","confirmations":"x"}"#, status: .unprocessableContent, mentions: "confirmations"),
        Rejection(body: #"{"tx_hash":"r7","amount":"1","status":"weird"}"#, status: .unprocessableContent, mentions: "status"),
        Rejection(body: #"{"tx_hash":"r8 x","amount":"1"}"#, status: .unprocessableContent, mentions: "tx_hash"),
        Rejection(body: #"{"tx_hash":"r9","amount":"1"}"#, headers: [.contentType: "text/plain"], status: .unsupportedMediaType, mentions: "Content-Type"),
        Rejection(body: #"{"tx_hash":"r10","amount":"1"}"#, headers: [:], status: .unsupportedMediaType, mentions: "Content-Type"),
        Rejection(
            body: #"{"tx_hash":"r11","amount":"1","pad":""# + String(repeating: "x", count: 70_000) + #""}"#,
            status: .contentTooLarge, mentions: "exceeds"
        ),
    ]

    /// The error body: exactly `ok` (false) and `error` (a string).
    static func expectErrorShape(_ response: TestResponse, _ comment: Comment? = nil) -> String? {
        let body = response.json
        #expect(response.headers[.contentType] == "application/json", comment)
        #expect(Set(body.keys) == ["ok", "error"], comment)
        #expect(body["ok"] as? Bool == false, comment)
        return body["error"] as? String
    }

    @Test(arguments: Self.rejections)
    func badInputGetsAClearErrorAndReachesNoStore(rejection: Rejection) async throws {
        let harness = RouterHarness()
        try await harness.test { client in
            let response = try await client.webhook(rejection.body, headers: rejection.headers)
            #expect(response.status == rejection.status, "\(rejection)")
            let error = Self.expectErrorShape(response, "\(rejection)")
            #expect(error?.contains(rejection.mentions) == true, "\(rejection): \(response.text)")
        }
        #expect(harness.ingest.submitted.isEmpty)
    }

    @Test func aValidWebhookGets202WithExactlyOkAndTxIDAndARepeatTheSameTxID() async throws {
        let harness = RouterHarness()
        try await harness.test { client in
            let response = try await client.webhook(Self.smoke)
            #expect(response.status == .accepted)
            #expect(response.headers[.contentType] == "application/json")
            #expect(Set(response.json.keys) == ["ok", "tx_id"])
            #expect(response.json["ok"] as? Bool == true)
            let txID = try #require(response.json["tx_id"] as? String)
            #expect(UUID(uuidString: txID) != nil)
            #expect(txID == txID.lowercased(), "identifiers are printed lower-case")

            let again = try await client.webhook(Self.smoke)
            #expect(again.status == .accepted)
            #expect(again.json["tx_id"] as? String == txID)
        }
        #expect(harness.ingest.submitted.map(\.txHash) == ["smoke-test-1", "smoke-test-1"])
        #expect(harness.ingest.submitted.first?.amount.description == "1")
    }

    @Test func aJSONContentTypeWithParametersOrAPlusJSONSuffixIsAccepted() async throws {
        try await RouterHarness().test { client in
            for contentType in ["application/json; charset=utf-8", "Application/JSON", "application/vnd.watcher+json"] {
                let response = try await client.webhook(#"{"tx_hash":"ct","amount":"1"}"#, headers: [.contentType: contentType])
                #expect(response.status == .accepted, "\(contentType)")
            }
        }
    }

    @Test func aDeclaredLengthBeyondTheLimitIs413BeforeTheBodyIsRead() async throws {
        let harness = RouterHarness { $0.configuration.maximumBodyBytes = 64 }
        try await harness.test { client in
            let fits = try await client.webhook(#"{"tx_hash":"small","amount":"1"}"#)
            #expect(fits.status == .accepted)
            let body = #"{"tx_hash":"big","amount":"1","pad":""# + String(repeating: "x", count: 64) + #""}"#
            let response = try await client.webhook(body)
            #expect(response.status == .contentTooLarge)
            #expect(Self.expectErrorShape(response) == "body exceeds 64 bytes")
        }
        #expect(harness.ingest.submitted.map(\.txHash) == ["small"])
    }

    @Test func aContradictingRepeatIs409NamingTheReason() async throws {
        let harness = RouterHarness()
        try await harness.test { client in
            #expect(try await client.webhook(#"{"tx_hash":"c1","amount":"10"}"#).status == .accepted)
            harness.ingest.answer(.conflict(reason: "differs in amount"))
            let conflict = try await client.webhook(#"{"tx_hash":"c1","amount":"11"}"#)
            #expect(conflict.status == .conflict)
            #expect(Self.expectErrorShape(conflict) == "tx_hash differs in amount; the recorded transfer is unchanged")
        }
        let events = harness.logs.records.filter { $0.message == "webhook_conflict" }
        #expect(events.count == 1)
        #expect(events.first?.metadata["security_event"] == "true")
    }

    @Test func anUnavailableStoreIs503WithRetryAfterAndCountedAsAnEnqueueFailure() async throws {
        let harness = RouterHarness()
        harness.ingest.answer(.fail(ServiceError(.unavailable, "database connection lost")))
        try await harness.test { client in
            let response = try await client.webhook(#"{"tx_hash":"u1","amount":"1"}"#)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(Self.expectErrorShape(response) == "database connection lost; retry later")
            await harness.metricsActor.flush()
            #expect(await harness.metricsActor.counterValue(harness.metrics.enqueueFailed) == 1)
            #expect(await harness.metricsActor.counterValue(harness.metrics.ingestRejectedQueueFull) == 0)
        }
    }

    @Test func aFullQueueIs503WithRetryAfterAndCountedAsQueueFull() async throws {
        let harness = RouterHarness()
        harness.ingest.answer(.fail(ServiceError(.unavailable, "ingest queue is full", underlying: GroupCommitter.QueueFull(limit: 2))))
        try await harness.test { client in
            let response = try await client.webhook(#"{"tx_hash":"q1","amount":"1"}"#)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(Self.expectErrorShape(response) == "ingest queue is full; retry later")
            await harness.metricsActor.flush()
            #expect(await harness.metricsActor.counterValue(harness.metrics.ingestRejectedQueueFull) == 1)
            #expect(await harness.metricsActor.counterValue(harness.metrics.enqueueFailed) == 0)
        }
    }

    @Test func aCommitThatOutlastsTheIngestTimeoutIs503NeverA202() async throws {
        let timeouts = MockClock()
        let harness = RouterHarness {
            $0.configuration.ingestTimeout = .seconds(5)
            $0.ingest.clock = timeouts
        }
        harness.ingest.answer(.stall)
        try await harness.test { client in
            async let stalled = client.webhook(#"{"tx_hash":"o2","amount":"1"}"#)
            await harness.ingest.waitUntilStalled()
            // The route hands the ingest its configured timeout; the ingest keeps the deadline.
            #expect(await timeouts.nextTimerScheduled() == MockClock.Instant(.seconds(5)))
            timeouts.advance(by: .seconds(5))
            let response = try await stalled
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(Self.expectErrorShape(response) == "the store did not commit within 5.0 seconds; retry later")
            await harness.metricsActor.flush()
            #expect(await harness.metricsActor.counterValue(harness.metrics.enqueueFailed) == 1)
        }
        #expect(harness.ingest.timeouts == [.seconds(5)])
    }

    @Test func anUnknownRouteIs404InTheErrorShape() async throws {
        try await RouterHarness().test { client in
            let response = try await client.execute(uri: "/api/v1/webhooks/bep21", method: .post)
            #expect(response.status == .notFound)
            #expect(Self.expectErrorShape(response) == "no such route")
        }
    }

    @Test func aProbesOnlyRouterServesNoWebhookRoute() async throws {
        let harness = RouterHarness { $0.takesWebhooks = false }
        try await harness.test { client in
            let response = try await client.webhook(Self.smoke)
            #expect(response.status == .notFound)
            #expect(Self.expectErrorShape(response) == "no such route")
            #expect(try await client.execute(uri: "/api/v1/webhooks/health", method: .get).status == .ok)
        }
        #expect(harness.ingest.submitted.isEmpty)
    }
}
