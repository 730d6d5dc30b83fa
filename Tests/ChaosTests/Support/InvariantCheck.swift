import Actors
import Foundation
import HummingbirdTesting
import Runtime
import TestSupport
import Testing

/// The invariants of docs/API.md ("Invariants") after a chaos run of the in-process service: every transfer
/// answered 202 is stored under one tx_id and credited exactly once, balances equal the
/// sums, the queue is empty and `verify()` finds nothing.
struct InvariantCheck {
    let running: RunningService
    let load: LoadResult
    let settlements: SettlementLog
    let seed: ChaosSeed

    /// What the check found, for the summary.
    struct Findings {
        var duplicates = 0
        var lost = 0
    }

    /// Waits until every accepted deposit settled, then checks. The wait is a watchdog against
    /// hangs, not a timing assertion: 3 minutes, or 20 deposits a second for big runs.
    func settleAndCheck(sourceLocation: SourceLocation = #_sourceLocation) async throws -> Findings {
        var findings = Findings()
        let byTransfer = self.load.txIDsByTransfer
        let txIDs = Set(byTransfer.values.flatMap { $0 })
        let limit = Duration.seconds(max(180, txIDs.count / 20))

        // One transfer, one tx_id, whatever the repeats.
        let split = byTransfer.filter { $0.value.count > 1 }
        findings.duplicates += split.count
        #expect(split.isEmpty, "transfers answered with different tx_ids (\(self.seed)): \(split.prefix(5))", sourceLocation: sourceLocation)

        do {
            try await withDeadline(limit, "settlement of \(txIDs.count) deposits") { try await self.settlements.handled(txIDs) }
        } catch let error as DeadlineExceeded {
            let log = self.settlements.snapshot
            let unsettled = log.unhandled(txIDs)
            var states: [String] = []
            for txID in unsettled.prefix(10) {
                let status = try? await self.running.service.store.transaction(id: txID)
                states.append(
                    "\(txID): \(status.map { "\($0.state)" } ?? "missing"), outcomes \(log.outcomes[txID] ?? []), failures \(log.failures[txID] ?? [])"
                )
            }
            Issue.record("\(error) (\(self.seed)); \(unsettled.count) unsettled, e.g. \(states)", sourceLocation: sourceLocation)
            throw error
        }

        // Every deposit credited exactly once.
        let credits = self.settlements.snapshot.credits
        let doubled = credits.filter { $0.value > 1 }
        findings.duplicates += doubled.count
        #expect(doubled.isEmpty, "deposits credited more than once (\(self.seed)): \(doubled.prefix(5))", sourceLocation: sourceLocation)
        let store = self.running.service.store
        for txID in txIDs {
            let status = try await store.transaction(id: txID)
            if status?.state != .credited {
                findings.lost += 1
                #expect(status?.state == .credited, "deposit \(txID) is \(status.map { "\($0.state)" } ?? "missing") (\(self.seed))", sourceLocation: sourceLocation)
            }
        }

        // Balances equal the sums of the distinct transfers, to the last unit.
        for (user, expected) in self.load.plan.balances(crediting: self.load.acceptedTransfers) {
            let wallet = try await store.wallet(userID: try #require(UUID(uuidString: user)))
            if wallet?.depositBalance != expected { findings.duplicates += 1 }
            #expect(wallet?.depositBalance == expected, "balance of \(user) (\(self.seed))", sourceLocation: sourceLocation)
        }

        // Nothing stored beyond what was accepted, nothing left in the queue.
        let statistics = try await store.statistics()
        #expect(statistics.deposits.values.reduce(0, +) == txIDs.count, "stored deposits (\(self.seed))", sourceLocation: sourceLocation)
        #expect(statistics.deposits[.credited] == txIDs.count, "credited deposits (\(self.seed))", sourceLocation: sourceLocation)
        #expect(statistics.queueDepth == 0, "jobs left (\(self.seed))", sourceLocation: sourceLocation)
        let violations = try await store.verify()
        #expect(violations == [], "verify() (\(self.seed))", sourceLocation: sourceLocation)
        return findings
    }
}

/// Creates `count` users with wallets through the admin API; returns their ids.
func createUsers(_ running: RunningService, count: Int, prefix: String) async throws -> [String] {
    try await running.withClient { client in
        var users: [String] = []
        for index in 0..<count {
            let response = try await client.admin(.post, "/api/v1/admin/users", json: #"{"username":"\#(prefix)-\#(index)"}"#)
            users.append(try #require(response.json["id"] as? String, "user creation answered \(response.status)"))
        }
        return users
    }
}
