import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The webhook route end to end: real HTTP over loopback, a whole service on both stores.
/// Each validation rule's status and error body is checked in-process, without a database
/// (WebhookValidationRouterTests, WebhookSignatureRouterTests).
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebhookRouteTests {
    static let smoke = #"{"tx_hash":"smoke-test-1","confirmations":12,"amount":"1.0","metadata":{"user_id":"test"}}"#

    @Test(arguments: TestBackend.available)
    func theSmokeRequestGets202WithExactlyOkAndTxID(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    let response = try await client.webhook(Self.smoke)
                    #expect(response.status == .accepted)
                    #expect(response.headers[.contentType] == "application/json")
                    let body = response.json
                    #expect(Set(body.keys) == ["ok", "tx_id"])
                    #expect(body["ok"] as? Bool == true)
                    let txID = try #require(body["tx_id"] as? String)
                    #expect(UUID(uuidString: txID) != nil)
                    // The record is committed: the store has it.
                    let status = try await running.service.store.transaction(id: UUID(uuidString: txID)!)
                    #expect(status?.txHash == "smoke-test-1")

                    let again = try await client.webhook(Self.smoke)
                    #expect(again.status == .accepted)
                    #expect(again.json["tx_id"] as? String == txID)
                }
            }
        }
    }

    @Test func anOversizedBodyIsRefusedWhileReadingWithoutAContentLength() async throws {
        // Only a real connection can send a chunked body; the store is never reached.
        let store = ScriptedIngestStore()
        try await withRunningIngress(store: store) { running in
            try await running.withClient { client in
                var request = TestClient.Request("/api/v1/webhooks/bep20", method: .post,
                                                 headers: [.contentType: "application/json", .transferEncoding: "chunked"],
                                                 body: ByteBuffer(repeating: UInt8(ascii: " "), count: 10 << 20))
                request.head.headerFields[.contentLength] = nil
                let response = try await client.execute(request)
                #expect(response.status == .contentTooLarge)
                #expect(response.json["ok"] as? Bool == false)
            }
        }
        #expect(store.batches.isEmpty)
    }

    @Test(arguments: TestBackend.available)
    func aContradictingRepeatIs409AndChangesNothing(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    let first = try await client.webhook(#"{"tx_hash":"c1","amount":"10","confirmations":1}"#)
                    #expect(first.status == .accepted)
                    let conflict = try await client.webhook(#"{"tx_hash":"c1","amount":"11","confirmations":1}"#)
                    #expect(conflict.status == .conflict)
                    #expect(Set(conflict.json.keys) == ["ok", "error"])
                    #expect((conflict.json["error"] as? String)?.contains("amount") == true)
                    let txID = UUID(uuidString: first.json["tx_id"] as! String)!
                    #expect(try await running.service.store.transaction(id: txID)?.amount.description == "10")
                }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func signaturesAreRequiredWhenASecretIsSet(backend: TestBackend) async throws {
        let secret = "test-secret"
        let verifier = try SignatureVerifier(secret: secret)
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, configure: { $0.ingress.webhookSecret = secret }) { running in
                try await running.withClient { client in
                    let body = #"{"tx_hash":"s1","amount":"1"}"#
                    let unsigned = try await client.webhook(body)
                    #expect(unsigned.status == .unauthorized)
                    #expect((unsigned.json["error"] as? String)?.contains("signature") == true)
                    let wrong = try await client.webhook(body, headers: [.contentType: "application/json", HTTPField.Name("X-Signature")!: "sha256=00"])
                    #expect(wrong.status == .unauthorized)
                    for header in ["X-Signature", "X-Hub-Signature-256", "X-Webhook-Signature"] {
                        let signed = try await client.webhook(
                            body, headers: [.contentType: "application/json", HTTPField.Name(header)!: verifier.hexSignature(for: Array(body.utf8))]
                        )
                        #expect(signed.status == .accepted, "\(header)")
                    }
                    let timestamp = Int64(Date().timeIntervalSince1970)
                    let standard = try await client.webhook(body, headers: [
                        .contentType: "application/json",
                        HTTPField.Name("webhook-id")!: "msg_1",
                        HTTPField.Name("webhook-timestamp")!: "\(timestamp)",
                        HTTPField.Name("webhook-signature")!: verifier.standardSignature(id: "msg_1", timestamp: timestamp, body: Array(body.utf8)),
                    ])
                    #expect(standard.status == .accepted)
                }
                #expect(try await running.service.store.statistics().deposits.values.reduce(0, +) == 1)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aThousandConcurrentWebhooksWithRepeatsStoreEachTransferOnce(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database) { running in
                // 800 distinct transfers; 200 more requests repeat some of them.
                let hashes = (0..<1000).map { index in index < 800 ? "load-\(index)" : "load-\((index * 7919) % 800)" }
                let answers = try await withThrowingTaskGroup(of: [(String, String)].self) { group in
                    for connection in 0..<50 {
                        group.addTask {
                            try await running.withClient { client in
                                var answers: [(String, String)] = []
                                for index in stride(from: connection, to: hashes.count, by: 50) {
                                    let response = try await client.webhook(#"{"tx_hash":"\#(hashes[index])","amount":"1.5","confirmations":3}"#)
                                    #expect(response.status == .accepted)
                                    answers.append((hashes[index], response.json["tx_id"] as? String ?? "missing"))
                                }
                                return answers
                            }
                        }
                    }
                    var all: [(String, String)] = []
                    for try await part in group { all += part }
                    return all
                }
                #expect(answers.count == 1000)
                let byHash = Dictionary(grouping: answers, by: \.0)
                #expect(byHash.count == 800)
                #expect(byHash.values.allSatisfy { Set($0.map(\.1)).count == 1 }, "every repeat gets its original tx_id")
                #expect(try await running.service.store.statistics().deposits[.pending] == 800)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aStalledCommitAnswers503WithRetryAfterNever202(backend: TestBackend) async throws {
        let faults = ScriptedFaults()
        let timeouts = MockClock()
        try await TestDatabase.with(backend) { database in
            try await withRunningService(database, faults: faults, configure: {
                $0.ingress.ingestTimeout = .milliseconds(200)
                $0.ingress.timeoutClock = timeouts
            }) { running in
                try await running.withClient { client in
                    faults.set(.ingestBeforeCommit, .failAlways)
                    let failed = try await client.webhook(#"{"tx_hash":"o1","amount":"1"}"#)
                    #expect(failed.status == .serviceUnavailable)
                    #expect(failed.headers[.retryAfter] != nil)
                    #expect(failed.json["ok"] as? Bool == false)

                    faults.set(.ingestBeforeCommit, .stall)
                    async let stalled = client.webhook(#"{"tx_hash":"o2","amount":"1"}"#)
                    // Its batch is in flight, its deadline (200 ms on the committer's clock) set.
                    await faults.stalled(at: .ingestBeforeCommit)
                    timeouts.advance(by: .milliseconds(200))
                    let response = try await stalled
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.retryAfter] != nil)
                    #expect(response.json["error"] as? String == "the store did not commit within 0.2 seconds; retry later")
                    faults.release(.ingestBeforeCommit)
                }
                // Once the store is back the same webhook is accepted.
                try await running.withClient { client in
                    let recovered = try await client.webhook(#"{"tx_hash":"o1","amount":"1"}"#)
                    #expect(recovered.status == .accepted)
                }
            }
        }
    }
}
