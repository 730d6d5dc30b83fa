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
        let deadline = ContinuousClock.now.advanced(by: limit)
        var current: [String: String] = [:]
        while ContinuousClock.now < deadline {
            current = try await self.balances(Array(expected.keys))
            if current == wanted { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("balances did not reach the expected sums within \(limit): \(current) != \(wanted)")
        throw DeadlineExceeded(what: "balances", limit: limit)
    }
}

/// SPEC §3's invariants after a run against real processes: every tx_id answered 202 is
/// present before anything is sent again; after every transfer seen is sent once more,
/// each has one tx_id, all are credited, and balances equal the sums.
struct RemoteInvariantCheck {
    let service: RemoteService
    let seed: ChaosSeed

    struct Findings {
        var duplicates = 0
        var lost = 0
        /// The run's answers plus the resends.
        var load: LoadResult
    }

    func check(_ load: LoadResult, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Findings {
        var findings = Findings(load: load)
        let answered = Set(load.txIDsByTransfer.values.flatMap { $0 })
        let present = try await self.service.states(answered)
        let missing = present.filter { $0.value == nil }.map(\.key)
        findings.lost += missing.count
        #expect(missing.isEmpty, "tx_ids answered 202 but missing from the store (\(self.seed)): \(missing.prefix(5))", sourceLocation: sourceLocation)

        let resent = try await self.service.resend(load.seenTransfers, of: load.plan)
        #expect(resent.accepted == resent.sent, "resends accepted (\(self.seed)): \(resent.unexpected.prefix(3))", sourceLocation: sourceLocation)
        findings.load.append(resent)
        let byTransfer = findings.load.txIDsByTransfer
        let split = byTransfer.filter { $0.value.count > 1 }
        findings.duplicates += split.count
        #expect(split.isEmpty, "transfers with several tx_ids (\(self.seed)): \(split.prefix(5))", sourceLocation: sourceLocation)

        let expected = load.plan.balances(crediting: load.seenTransfers)
        do {
            try await self.service.waitForBalances(expected)
        } catch {
            findings.duplicates += 1
            throw error
        }
        let states = try await self.service.states(Set(byTransfer.values.flatMap { $0 }))
        let uncredited = states.filter { $0.value != "credited" }
        findings.lost += uncredited.count
        #expect(uncredited.isEmpty, "deposits not credited (\(self.seed)): \(uncredited.prefix(5))", sourceLocation: sourceLocation)
        return findings
    }
}

/// Runs `cricalgo verify --json` on `databaseURL`; returns its exit status and parsed report.
func verifyStore(_ processes: ServiceProcessRegistry, databaseURL: String) async throws -> (status: Int32, report: [String: Any]) {
    let (status, output) = try await processes.run(["verify", "--json"], environment: ["DATABASE_URL": databaseURL, "LOG_LEVEL": "error"])
    // The report is pretty-printed; any log line before it is one line of its own.
    let start = output.range(of: "\n{\n")?.lowerBound ?? output.range(of: "{\n")?.lowerBound
    let json = start.map { String(output[$0...]) } ?? output
    let report = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    return (status, report)
}

/// SIGTERM, then waits (polling, at most `limit`) for an orderly exit. A process still
/// running after `limit` is a failure (SPEC §5: SIGTERM drains and exits 0); it is then
/// SIGKILLed so the test can go on. Returns the exit status, nil when it had to be killed.
@discardableResult
func stopGracefully(_ process: ServiceProcess, limit: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int32? {
    process.send(SIGTERM)
    let deadline = ContinuousClock.now.advanced(by: limit)
    while process.isRunning, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
    }
    if let status = process.exitStatus {
        #expect(status == 0, "\(process.name) exit status after SIGTERM; log tail:\n\(process.logTail())", sourceLocation: sourceLocation)
        return status
    }
    Issue.record("\(process.name) still running \(limit) after SIGTERM; log tail:\n\(process.logTail())", sourceLocation: sourceLocation)
    process.forceKill()
    return nil
}
