import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

extension TestClientProtocol {
    /// POSTs `json` as a webhook.
    public func webhook(_ json: String, headers: HTTPFields = [.contentType: "application/json"]) async throws -> TestResponse {
        try await self.execute(uri: "/api/v1/webhooks/bep20", method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// Sends an admin request with ``RouterHarness/adminToken``.
    public func admin(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(RouterHarness.adminToken)"]
        if json != nil { headers[.contentType] = "application/json" }
        return try await self.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}
