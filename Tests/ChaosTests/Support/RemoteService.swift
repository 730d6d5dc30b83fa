import Actors
import Foundation
import HummingbirdTesting
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP API of a `cricalgo` running in another process, as the chaos runs use it.
struct RemoteService: Sendable {
    let port: Int

    func withClient<Value: Sendable>(_ body: @escaping @Sendable (TestClient) async throws -> Value) async throws -> Value {
        try await TestClient.withClient(host: "127.0.0.1", port: self.port, operation: body)
    }

    func createUsers(count: Int, prefix: String) async throws -> [String] {
        try await self.withClient { client in
            var users: [String] = []
            for index in 0..<count {
                let response = try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":"\#(prefix)-\#(index)"}"#)
                users.append(try #require(response.json["id"] as? String, "user creation answered \(response.status)"))
            }
            return users
        }
    }

    /// Each user's `deposit_balance` as the API prints it.
    func balances(_ users: some Sequence<String> & Sendable) async throws -> [String: String] {
        try await self.withClient { client in
            var balances: [String: String] = [:]
            for user in users {
                balances[user] = try await client.admin(.get, "/api/v1/admin/users/\(user)/wallet").json["deposit_balance"] as? String
            }
            return balances
        }
    }

    /// The `status` of each deposit (nil when the API answers 404).
    func states(_ txIDs: Set<UUID>) async throws -> [UUID: String?] {
        try await self.withClient { client in
            var states: [UUID: String?] = [:]
            for txID in txIDs {
                let response = try await client.admin(.get, "/api/v1/transactions/\(txID.uuidString.lowercased())")
                states[txID] = response.status == .ok ? response.json["status"] as? String : nil
            }
            return states
        }
    }

    /// Sends each transfer's webhook once more with enough confirmations to be credited (what
    /// a watcher does when it never got a 202).
    func resend(_ transfers: Set<Int>, of plan: LoadPlan) async throws -> LoadResult {
        let answers = try await self.withClient { client in
            var answers: [WebhookAnswer] = []
            for transfer in transfers.sorted() {
                let sent = ContinuousClock.now
                let response = try await client.webhook(plan.body(.init(transfer: transfer, confirmations: 20)))
                answers.append(WebhookAnswer(
                    request: -1, transfer: transfer, status: Int(response.status.code),
                    txID: (response.json["tx_id"] as? String).flatMap(UUID.init(uuidString:)), sent: sent, answered: .now
                ))
            }
            return answers
        }
        return LoadResult(plan: plan, answers: answers)
    }

    /// Polls the wallets (every 250 ms, at most `limit`) until they show `expected`.
    func waitForBalances(_ expected: [String: Amount], limit: Duration = .seconds(120)) async throws {
        let wanted = expected.mapValues(\.description)
        var current: [String: String] = [:]
        let reached = try await Poll.until(every: .milliseconds(250), within: limit) {
            current = try await self.balances(Array(expected.keys))
            return current == wanted
        }
        if reached { return }
        Issue.record("balances did not reach the expected sums within \(limit): \(current) != \(wanted)")
        throw DeadlineExceeded(what: "balances", limit: limit)
    }
}
