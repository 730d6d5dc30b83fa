import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import Actors

/// A path the service serves, asked with a method it does not serve there, is answered 405
/// with `Allow` (docs/API.md, Errors); a path it does not serve is still 404.
@Suite(.serialized, .timeLimit(.minutes(2))) struct MethodNotAllowedTests {
    @Test func overRealHTTPAnUnservedMethodIs405NamingTheServedOnes() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    let cases: [(HTTPRequest.Method, String, String)] = [
                        (.trace, "/readyz", "GET"),
                        (.head, "/healthz", "GET"),
                        (.post, "/metrics", "GET"),
                        (.get, "/api/v1/webhooks/bep20", "POST"),
                        (.delete, "/api/v1/webhooks/bep20", "POST"),
                        (.options, "/api/v1/webhooks/health", "GET"),
                        (.put, "/api/v1/transactions/\(UUID().uuidString)", "GET"),
                        (.patch, "/api/v1/admin/users", "POST"),
                        (.trace, "/api/v1/admin/transactions/not-a-uuid/assign", "POST"),
                        (.delete, "/api/v1/admin/users/\(UUID().uuidString)/wallet", "GET"),
                    ]
                    for (method, path, allow) in cases {
                        let response = try await client.execute(.init(path, method: method, headers: [:], body: nil))
                        #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                        #expect(response.headers[.allow] == allow, "\(method) \(path)")
                        if method != .head {
                            #expect(response.headers[.contentType] == "application/json")
                            #expect(response.json["ok"] as? Bool == false)
                            #expect((response.json["error"] as? String)?.contains("allowed: \(allow)") == true)
                        }
                    }
                }
            }
        }
    }

    @Test func servedMethodsAndUnknownPathsAreUnchanged() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await withRunningService(database) { running in
                try await running.withClient { client in
                    #expect(try await client.execute(.init("/readyz", method: .get, headers: [:], body: nil)).status == .ok)
                    #expect(try await client.webhook(#"{"tx_hash":"allow-1","amount":"1"}"#).status == .accepted)
                    let unknown = try await client.execute(.init("/api/v1/nothing", method: .trace, headers: [:], body: nil))
                    #expect(unknown.status == .notFound)
                    #expect(unknown.headers[.allow] == nil)
                    // A served path with one segment too many is another path.
                    let deeper = try await client.execute(.init("/readyz/extra", method: .get, headers: [:], body: nil))
                    #expect(deeper.status == .notFound)
                }
            }
        }
    }

    @Test func routesThatDoNotExistInAModeAreNotAdvertised() {
        let worker = MethodNotAllowedMiddleware<ServiceRequestContext>.service(webhooks: false, admin: false)
        #expect(worker.allowedMethods(path: "/api/v1/webhooks/bep20") == nil)
        #expect(worker.allowedMethods(path: "/metrics") == [.get])
        let noToken = MethodNotAllowedMiddleware<ServiceRequestContext>.service(webhooks: true, admin: false)
        #expect(noToken.allowedMethods(path: "/api/v1/webhooks/bep20") == [.post])
        #expect(noToken.allowedMethods(path: "/api/v1/admin/supervisor") == nil)
        let full = MethodNotAllowedMiddleware<ServiceRequestContext>.service(webhooks: true, admin: true)
        #expect(full.allowedMethods(path: "/api/v1/admin/transactions/x/requeue") == [.post])
        #expect(full.allowedMethods(path: "/api/v1/admin/transactions//requeue") == nil)
        #expect(full.allowedMethods(path: "/API/V1/ADMIN/SUPERVISOR") == nil)
    }
}
