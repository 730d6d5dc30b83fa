import Foundation
import Testing

@testable import Actors
import TestSupport

/// The ingest upsert each store renders from ``IngestRule`` decides, on a real database,
/// what ``IngestRule/decide(existing:incoming:threshold:)`` decides over values: a seeded
/// random walk of deliveries (repeats, contradictions, changing thresholds, settlements in
/// between) is run against the store and against the rule, step by step.
@Suite(.timeLimit(.minutes(2))) struct StoreIngestRuleTests {
    @Test(arguments: TestBackend.available, [7, 42] as [UInt64])
    func theUpsertDecidesWhatTheRuleDecides(backend: TestBackend, seed: UInt64) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                var random = SplitMix64(seed: seed)
                var model: [String: (id: UUID, stored: IngestRule.Stored)] = [:]
                var seen: Set<String> = []
                for step in 0..<150 {
                    let hash = ["0xa1", "0xb2", "0xc3", "0xd4"].randomElement(using: &random)!
                    let incoming = DepositRecord(
                        txHash: hash,
                        amount: try Amount(parsing: ["1", "2"].randomElement(using: &random)!),
                        currency: Int.random(in: 0..<8, using: &random) == 0 ? "BUSD" : "USDT",
                        confirmations: Int64.random(in: 0...14, using: &random),
                        chainStatus: ChainStatus.allCases.randomElement(using: &random)!,
                        userRef: Int.random(in: 0..<6, using: &random) == 0 ? "u2" : "u1"
                    )
                    let threshold = Int64.random(in: 4...12, using: &random)
                    let result = try await store.ingest([incoming], confirmationThreshold: threshold)[0]
                    let before = model[hash]
                    if let state = before?.stored.state { seen.insert("repeat of \(state.rawValue)") }
                    switch IngestRule.decide(existing: before?.stored, incoming: incoming, threshold: threshold) {
                    case .create(let state):
                        #expect(result.outcome == .accepted(created: true, queued: state == .queued), "step \(step)")
                        model[hash] = (result.txID, IngestRule.Stored(
                            state: state, chainStatus: incoming.chainStatus, confirmations: incoming.confirmations, terms: IngestRule.Terms(incoming)
                        ))
                    case .update(let merged):
                        let queued = before?.stored.state == IngestRule.openState && merged.state == .queued
                        #expect(result.outcome == .accepted(created: false, queued: queued), "step \(step)")
                        model[hash]?.stored = merged
                    case .conflict(let reason):
                        seen.insert("conflict")
                        #expect(result.outcome == .conflict(reason: reason), "step \(step)")
                    }
                    let expected = try #require(model[hash])
                    #expect(result.txID == expected.id)
                    let status = try #require(try await store.transaction(id: expected.id))
                    #expect(status.state == expected.stored.state, "step \(step)")
                    #expect(status.confirmations == expected.stored.confirmations, "step \(step)")

                    // Now and then the workers run: queued deposits settle (no user exists, so
                    // unmatched, or failed when the chain said so) and later repeats meet
                    // deposits past `pending`.
                    if Int.random(in: 0..<10, using: &random) == 0 {
                        _ = try await store.drainJobs()
                        for (key, entry) in model where entry.stored.state == .queued {
                            let settlement = Settlement.decide(
                                state: .queued, chainStatus: entry.stored.chainStatus.rawValue,
                                candidate: Settlement.candidate(assigned: nil, reference: entry.stored.terms.userRef),
                                knownUsers: [], amount: entry.stored.terms.amount
                            )
                            model[key]?.stored.state = try #require(settlement.finalState)
                        }
                    }
                }
                #expect(try await store.verify() == [])
                // The walk met every case the rule distinguishes.
                #expect(seen.isSuperset(of: ["conflict", "repeat of pending", "repeat of queued", "repeat of unmatched", "repeat of failed"]))
            }
        }
    }
}
