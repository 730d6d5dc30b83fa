import Foundation
import HummingbirdTesting
import NIOCore
import Synchronization
import TestSupport
import Testing

/// Bodies in failure messages: short, and readable even when they are not text.
func preview(_ body: [UInt8]) -> String {
    let text = String(decoding: body.prefix(120), as: UTF8.self)
    return "\(body.count) bytes: \(text.debugDescription)"
}

/// The service answers its probes, accepts a well-formed webhook, and holds exactly
/// `storedDeposits` deposits before it (nothing refused was stored).
func expectHealthy(_ running: RunningService, storedDeposits: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let statistics = try await running.service.store.statistics()
    #expect(statistics.deposits.values.reduce(0, +) == storedDeposits, "stored deposits", sourceLocation: sourceLocation)
    try await running.withClient { client in
        for path in ["/healthz", "/readyz", "/api/v1/health", "/api/v1/webhooks/health"] {
            #expect(try await client.get(path).status == .ok, "\(path)", sourceLocation: sourceLocation)
        }
        let fine = try await client.webhook(#"{"tx_hash":"after-the-storm-\#(UUID().uuidString)","amount":"1","confirmations":1}"#)
        #expect(fine.status == .accepted, "a well-formed webhook afterwards: \(fine.text)", sourceLocation: sourceLocation)
    }
}

extension TestClient {
    /// POSTs raw bytes as a JSON webhook.
    func webhookBytes(_ body: [UInt8]) async throws -> TestClient.Response {
        try await self.post("/api/v1/webhooks/bep20", headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
    }
}

extension TestClient.Response {
    /// `{"ok":false,"error":"<non-empty>"}` and nothing else.
    var isErrorBody: Bool {
        Set(self.json.keys) == ["ok", "error"] && self.json["ok"] as? Bool == false && !((self.json["error"] as? String) ?? "").isEmpty
    }
}

/// The tx_ids answered 202 in a property run.
final class AcceptedIDs: Sendable {
    private let ids = Mutex<Set<String>>([])

    var count: Int { self.ids.withLock { $0.count } }

    func insert(_ id: String) { _ = self.ids.withLock { $0.insert(id) } }
}
