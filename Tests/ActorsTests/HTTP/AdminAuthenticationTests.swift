import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Runtime
import TestSupport
import Testing

@testable import Actors

/// The bearer scheme is case-insensitive (RFC 7235), and every refused admin request is a
/// logged security event carrying the client's address, never the token.
@Suite struct AdminAuthenticationTests {
    static let token = "correct-horse-battery-staple"

    /// A router with one admin route behind the middleware, logging into `capture`.
    private func application(_ capture: LogCapture) -> some ApplicationProtocol {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(metrics: ServiceMetrics(recorder: MetricsActor(logger: capture.logger()).recorder)))
        router.group()
            .add(middleware: BearerTokenMiddleware<ServiceRequestContext>(token: Self.token, logger: capture.logger()))
            .get("/api/v1/admin/users/:id/wallet") { _, _ in JSONBody.response(.ok, #"{"ok":true}"#) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: capture.logger())
    }

    @Test(arguments: ["Bearer ", "bearer ", "BEARER ", "BeArEr ", "Bearer   ", "Bearer\t", "bearer \t "])
    func theSchemeIsCaseInsensitiveWithAnyRunOfSpacesOrTabs(prefix: String) async throws {
        let capture = LogCapture()
        try await self.application(capture).test(.live) { client in
            let response = try await client.execute(uri: "/api/v1/admin/users/1/wallet", method: .get, headers: [.authorization: prefix + Self.token])
            #expect(response.status == .ok, "\(prefix.debugDescription)")
        }
        #expect(capture.records.filter { $0.message == "admin_unauthorized" }.isEmpty)
    }

    @Test(arguments: [
        (nil, "missing_authorization"), ("Basic dXNlcjpwdw==", "wrong_scheme"), ("Bearer" + token, "wrong_scheme"),
        ("Bearerx " + token, "wrong_scheme"), ("Bearer wrong", "wrong_token"), ("bearer " + token + "x", "wrong_token"),
    ] as [(String?, String)])
    func everyRefusalIsASecurityEventWithTheClientAddress(header: String?, reason: String) async throws {
        let capture = LogCapture()
        try await self.application(capture).test(.live) { client in
            var headers = HTTPFields()
            if let header { headers[.authorization] = header }
            let response = try await client.execute(uri: "/api/v1/admin/users/\(UUID().uuidString)/wallet", method: .get, headers: headers)
            #expect(response.status == .unauthorized)
        }
        let events = capture.records.filter { $0.message == "admin_unauthorized" }
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.level == .warning)
        #expect(event.metadata["security_event"] == "true")
        #expect(event.metadata["client.address"] == "127.0.0.1")
        #expect(event.metadata["reason"] == reason)
        // The route template, not the identifiers in the path.
        #expect(event.metadata["route"] == "GET /api/v1/admin/users/{id}/wallet", "\(event.metadata)")
        // Exactly these keys: nothing of what the client presented.
        #expect(Set(event.metadata.keys) == ["security_event", "client.address", "reason", "route"])
        #expect(!event.metadata.values.contains { $0.contains(Self.token) })
    }

    @Test func credentialsAreOnlyWhatFollowsTheSchemeAndItsWhitespace() {
        let parse = BearerTokenMiddleware<ServiceRequestContext>.bearerCredentials
        #expect(parse("bEaReR \t abc").map { String(decoding: $0, as: UTF8.self) } == "abc")
        #expect(parse("Bearer") == nil)
        #expect(parse("Bearerabc") == nil)
        #expect(parse("Bear abc") == nil)
        #expect(parse("") == nil)
        #expect(parse("Bearer ").map(\.isEmpty) == true)
    }
}
