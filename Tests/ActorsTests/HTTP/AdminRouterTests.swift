import Actors
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Runtime
import TestSupport
import Testing

/// The admin routes in-process over a scripted store: bearer authentication, every error's
/// status and `{"ok":false,"error":...}` body, and the success bodies' exact keys.
@Suite struct AdminRouterTests {
    static let routes: [(HTTPRequest.Method, String)] = [
        (.get, "/api/v1/transactions/\(UUID().uuidString)"),
        (.post, "/api/v1/admin/users"),
        (.get, "/api/v1/admin/users/\(UUID().uuidString)/wallet"),
        (.post, "/api/v1/admin/transactions/\(UUID().uuidString)/assign"),
        (.post, "/api/v1/admin/transactions/\(UUID().uuidString)/requeue"),
        (.get, "/api/v1/admin/supervisor"),
        (.post, "/api/v1/admin/chaos/kill-worker"),
    ]

    /// The error body: exactly `ok` (false) and `error`; returns the message.
    static func error(_ response: TestResponse, _ comment: Comment? = nil) -> String? {
        #expect(response.headers[.contentType] == "application/json", comment)
        #expect(Set(response.json.keys) == ["ok", "error"], comment)
        #expect(response.json["ok"] as? Bool == false, comment)
        return response.json["error"] as? String
    }

    @Test func everyAdminRouteIs401WithoutTheRightBearerToken() async throws {
        let harness = RouterHarness { $0.configuration.chaosEnabled = true }
        try await harness.test { client in
            for (method, uri) in Self.routes {
                let missing = try await client.execute(uri: uri, method: method)
                #expect(missing.status == .unauthorized, "\(method) \(uri)")
                #expect(Self.error(missing, "\(uri)") == "missing or wrong bearer token")
                let wrong = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer wrong"])
                #expect(wrong.status == .unauthorized, "\(method) \(uri)")
                #expect(Self.error(wrong, "\(uri)") == "missing or wrong bearer token")
            }
        }
        #expect(harness.logs.records.filter { $0.message == "admin_unauthorized" }.count == 2 * Self.routes.count)
        #expect(harness.store.assignments.isEmpty && harness.store.requeued.isEmpty)
    }

    @Test func withoutATokenConfiguredEveryAdminRouteIs404() async throws {
        let harness = RouterHarness {
            $0.configuration.adminToken = nil
            $0.configuration.chaosEnabled = true
        }
        try await harness.test { client in
            for (method, uri) in Self.routes {
                let response = try await client.admin(method, uri)
                #expect(response.status == .notFound, "\(method) \(uri)")
                #expect(Self.error(response, "\(uri)") == "no such route")
            }
        }
    }

    @Test func aProbesOnlyRouterHasNoAdminRoutes() async throws {
        let harness = RouterHarness { $0.takesWebhooks = false }
        try await harness.test { client in
            let response = try await client.admin(.get, "/api/v1/admin/supervisor")
            #expect(response.status == .notFound)
            #expect(Self.error(response) == "no such route")
        }
    }

    @Test func badIdentifiersAre422NamingTheField() async throws {
        try await RouterHarness().test { client in
            let cases: [(HTTPRequest.Method, String, String?, String)] = [
                (.get, "/api/v1/transactions/not-a-uuid", nil, "tx_id must be a UUID"),
                (.get, "/api/v1/admin/users/42/wallet", nil, "user id must be a UUID"),
                (.post, "/api/v1/admin/transactions/nope/assign", #"{"user_id":"\#(UUID().uuidString)"}"#, "tx_id must be a UUID"),
                (.post, "/api/v1/admin/transactions/nope/requeue", nil, "tx_id must be a UUID"),
            ]
            for (method, uri, json, message) in cases {
                let response = try await client.admin(method, uri, json: json)
                #expect(response.status == .unprocessableContent, "\(uri)")
                #expect(Self.error(response, "\(uri)") == message)
            }
        }
    }

    @Test func requestBodiesAreCheckedBeforeTheStore() async throws {
        let harness = RouterHarness()
        try await harness.test { client in
            let users = "/api/v1/admin/users"
            let assign = "/api/v1/admin/transactions/\(UUID().uuidString)/assign"
            let cases: [(String, String, HTTPResponse.Status, String)] = [
                (users, #"{"telegram_id":1}"#, .badRequest, "missing required field: username"),
                (users, #"{"username":5}"#, .unprocessableContent, "username must be a string"),
                (users, "{", .badRequest, "body is not valid JSON"),
                (users, "[]", .badRequest, "body must be a JSON object"),
                (users, #"{"username":"a","telegram_id":0}"#, .unprocessableContent, "telegram_id must be a positive integer"),
                (assign, "{}", .badRequest, "missing required field: user_id"),
                (assign, #"{"user_id":"x"}"#, .unprocessableContent, "user_id must be a UUID"),
            ]
            for (uri, json, status, message) in cases {
                let response = try await client.admin(.post, uri, json: json)
                #expect(response.status == status, "\(json)")
                #expect(Self.error(response, "\(json)")?.hasPrefix(message) == true, "\(json): \(response.text)")
            }
            let untyped = try await client.execute(
                uri: users, method: .post, headers: [.authorization: "Bearer \(RouterHarness.adminToken)"], body: ByteBuffer(string: #"{"username":"a"}"#)
            )
            #expect(untyped.status == .unsupportedMediaType)
            #expect(Self.error(untyped) == "Content-Type must be application/json")
            let large = try await client.admin(.post, users, json: #"{"username":""# + String(repeating: "a", count: 16 * 1024) + #""}"#)
            #expect(large.status == .contentTooLarge)
            #expect(Self.error(large) == "body exceeds 16384 bytes")
        }
        #expect(harness.store.assignments.isEmpty)
    }

    @Test func unknownRecordsAre404() async throws {
        try await RouterHarness().test { client in
            let transaction = try await client.admin(.get, "/api/v1/transactions/\(UUID().uuidString)")
            #expect(transaction.status == .notFound)
            #expect(Self.error(transaction) == "no transaction with this tx_id")
            let wallet = try await client.admin(.get, "/api/v1/admin/users/\(UUID().uuidString)/wallet")
            #expect(wallet.status == .notFound)
            #expect(Self.error(wallet) == "no wallet for this user")
            let requeue = try await client.admin(.post, "/api/v1/admin/transactions/\(UUID().uuidString)/requeue")
            #expect(requeue.status == .notFound)
            #expect(Self.error(requeue) != nil)
        }
    }

    @Test func aCreatedUserAndItsWalletHaveExactlyTheContractsKeys() async throws {
        let harness = RouterHarness()
        try await harness.test { client in
            let created = try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":"  zed  ","telegram_id":7}"#)
            #expect(created.status == .created)
            #expect(Set(created.json.keys) == ["id", "username"])
            #expect(created.json["username"] as? String == "zed")
            let id = try #require(created.json["id"] as? String)
            #expect(id == id.lowercased())
            let wallet = try await client.admin(.get, "/api/v1/admin/users/\(id.uppercased())/wallet")
            #expect(wallet.status == .ok)
            #expect(Set(wallet.json.keys) == ["user_id", "deposit_balance", "winning_balance", "bonus_balance"])
            #expect(wallet.json["user_id"] as? String == id)
            #expect(wallet.json["deposit_balance"] as? String == "0")
        }
    }

    @Test func aTransactionListsEveryKeyWithNullsForWhatIsUnset() async throws {
        let harness = RouterHarness()
        let txID = UUID()
        harness.store.add(TransactionStatus(
            txID: txID, txHash: "0xabc", chain: "bep20", logIndex: 3, state: .pending, confirmations: 2,
            amount: try Amount(parsing: "1.50"), currency: "USDT", userID: nil, processedAt: nil
        ))
        try await harness.test { client in
            let response = try await client.admin(.get, "/api/v1/transactions/\(txID.uuidString)")
            #expect(response.status == .ok)
            #expect(response.text.contains(#""user_id":null"#), "\(response.text)")
            #expect(response.text.contains(#""processed_at":null"#))
            #expect(response.text.contains(#""failure_reason":null"#))
            let body = response.json
            #expect(Set(body.keys) == [
                "tx_id", "tx_hash", "chain", "log_index", "status", "confirmations", "amount", "currency", "user_id", "processed_at", "failure_reason",
            ])
            #expect(body["tx_id"] as? String == txID.uuidString.lowercased())
            #expect(body["status"] as? String == "pending")
            #expect(body["amount"] as? String == "1.5")
            #expect(body["log_index"] as? Int == 3)
        }
    }

    @Test func assignAndRequeueAre202AndReachTheStore() async throws {
        let harness = RouterHarness()
        let txID = UUID()
        harness.store.add(TransactionStatus(
            txID: txID, txHash: "0xdef", chain: "bep20", logIndex: 0, state: .unmatched, confirmations: 12,
            amount: try Amount(parsing: "2"), currency: "USDT", userID: nil, processedAt: nil
        ))
        try await harness.test { client in
            let created = try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":"amy"}"#)
            let userID = try #require(created.json["id"] as? String)
            let assigned = try await client.admin(.post, "/api/v1/admin/transactions/\(txID.uuidString)/assign", json: #"{"user_id":"\#(userID)"}"#)
            #expect(assigned.status == .accepted)
            #expect(assigned.text == #"{"ok":true}"#)
            let requeued = try await client.admin(.post, "/api/v1/admin/transactions/\(txID.uuidString)/requeue")
            #expect(requeued.status == .accepted)
            #expect(requeued.text == #"{"ok":true}"#)
        }
        #expect(harness.store.assignments.map(\.txID) == [txID])
        #expect(harness.store.requeued == [txID])
    }

    @Test func anUnavailableStoreIs503InTheErrorShape() async throws {
        let harness = RouterHarness()
        harness.store.setUnavailable(true)
        try await harness.test { client in
            let response = try await client.admin(.get, "/api/v1/transactions/\(UUID().uuidString)")
            #expect(response.status == .serviceUnavailable)
            #expect(Self.error(response) == "database connection lost")
        }
    }

    @Test func theSupervisionTreeIsServedAsTheHooksReportIt() async throws {
        let harness = RouterHarness {
            $0.hooks = AdminHooks(
                supervisionTree: {
                    SupervisionTreeNode(name: "root", state: "running", restarts: 0, strategy: .oneForOne, children: [
                        SupervisionTreeNode(name: "ingress", state: "running", restarts: 2),
                    ])
                },
                killWorker: { nil }
            )
        }
        try await harness.test { client in
            let response = try await client.admin(.get, "/api/v1/admin/supervisor")
            #expect(response.status == .ok)
            #expect(response.json["name"] as? String == "root")
            #expect(response.json["strategy"] as? String == "one_for_one")
            let children = try #require(response.json["children"] as? [[String: Any]])
            #expect(children.map { $0["name"] as? String } == ["ingress"])
            #expect(children.first?["restarts"] as? Int == 2)
        }
    }

    @Test func killWorkerIs404WithoutChaos409WithNoWorkerAnd200NamingTheWorker() async throws {
        try await RouterHarness().test { client in
            let hidden = try await client.admin(.post, "/api/v1/admin/chaos/kill-worker")
            #expect(hidden.status == .notFound)
            #expect(Self.error(hidden) == "chaos routes are disabled (CHAOS_ENABLED=false)")
        }
        try await RouterHarness { $0.configuration.chaosEnabled = true }.test { client in
            let none = try await client.admin(.post, "/api/v1/admin/chaos/kill-worker")
            #expect(none.status == .conflict)
            #expect(Self.error(none) == "no worker is alive")
        }
        let killing = RouterHarness {
            $0.configuration.chaosEnabled = true
            $0.hooks = AdminHooks(supervisionTree: { SupervisionTreeNode(name: "root", state: "running", restarts: 0) }, killWorker: { "worker-2" })
        }
        try await killing.test { client in
            let killed = try await client.admin(.post, "/api/v1/admin/chaos/kill-worker")
            #expect(killed.status == .ok)
            #expect(killed.text == #"{"killed":"worker-2"}"#)
        }
    }
}
