import Foundation

/// Every answer of a load run, and what they add up to.
struct LoadResult: Sendable {
    let plan: LoadPlan
    var answers: [WebhookAnswer]

    var sent: Int { self.answers.count }
    var accepted: Int { self.answers.count { $0.status == 202 } }
    var unavailable: Int { self.answers.count { $0.status == 503 } }
    var unanswered: Int { self.answers.count { $0.status == nil } }
    /// Answers that were neither 202 nor 503 nor missing: none are expected from valid webhooks.
    var unexpected: [WebhookAnswer] { self.answers.filter { ![202, 503, nil].contains($0.status) } }

    /// The tx_ids each transfer was answered with (202 only).
    var txIDsByTransfer: [Int: Set<UUID>] {
        var result: [Int: Set<UUID>] = [:]
        for answer in self.answers where answer.status == 202 {
            if let txID = answer.txID { result[answer.transfer, default: []].insert(txID) }
        }
        return result
    }

    /// The highest plan index sent, plus one: where a next round starts.
    var nextRequest: Int { (self.answers.map(\.request).max() ?? -1) + 1 }

    /// Transfers sent at least once, whatever the answer.
    var seenTransfers: Set<Int> { Set(self.answers.map(\.transfer)) }

    /// Transfers that got at least one 202.
    var acceptedTransfers: Set<Int> { Set(self.txIDsByTransfer.keys) }

    mutating func append(_ other: LoadResult) {
        self.answers += other.answers
    }
}
