import Actors
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// Every 503 of the webhook carries `Retry-After` (docs/openapi.yaml), whichever store error
/// caused it.
@Suite struct WebhookRetryAfterTests {
    @Test(arguments: [ServiceError(.unavailable, "store down"), ServiceError(.storeFailure, "disk full"), ServiceError(.leaseLost, "lost")])
    func aStoreFailureIs503WithRetryAfter(error: ServiceError) async throws {
        let harness = RouterHarness()
        harness.ingest.answer(.fail(error))
        try await harness.test { client in
            let response = try await client.webhook(#"{"tx_hash":"retry-after-1","amount":"1"}"#)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(response.headers[.contentType] == "application/json")
        }
    }

    @Test func aRefusalCarriesNoRetryAfter() async throws {
        let harness = RouterHarness()
        try await harness.test { client in
            let response = try await client.webhook(#"{"tx_hash":"retry-after-2","amount":"-1"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.retryAfter] == nil)
        }
    }
}
