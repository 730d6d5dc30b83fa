import Foundation
import PropertyBased
import Testing

@testable import Actors

/// What an ingest does given the stored row: readiness of a first sighting, conflicts, and
/// the merge of an agreeing repeat; and the upsert clause both stores render from it.
@Suite struct IngestRuleTests {
    private func record(_ confirmations: Int64, _ status: ChainStatus = .confirmed, amount: String = "1", user: String? = nil) -> DepositRecord {
        DepositRecord(txHash: "0xab", amount: try! Amount(parsing: amount), confirmations: confirmations, chainStatus: status, userRef: user)
    }

    private func stored(_ state: DepositState, _ status: ChainStatus, _ confirmations: Int64, user: String? = nil) -> IngestRule.Stored {
        IngestRule.Stored(
            state: state, chainStatus: status, confirmations: confirmations,
            terms: IngestRule.Terms(amount: try! Amount(parsing: "1"), currency: "USDT", userRef: user)
        )
    }

    @Test func aFirstSightingIsQueuedOnlyWhenReady() {
        #expect(IngestRule.decide(existing: nil, incoming: self.record(12), threshold: 12) == .create(state: .queued))
        #expect(IngestRule.decide(existing: nil, incoming: self.record(3), threshold: 12) == .create(state: .pending))
        #expect(IngestRule.decide(existing: nil, incoming: self.record(0, .failed), threshold: 12) == .create(state: .queued))
        #expect(IngestRule.decide(existing: nil, incoming: self.record(99, .pending), threshold: 12) == .create(state: .pending))
    }

    @Test func aRepeatReachingTheThresholdQueuesAPendingDeposit() {
        let decision = IngestRule.decide(existing: self.stored(.pending, .confirmed, 3), incoming: self.record(12), threshold: 12)
        #expect(decision == .update(merged: self.stored(.queued, .confirmed, 12)))
    }

    @Test func aPendingReportKeepsTheStatusButItsConfirmationsCount() {
        let decision = IngestRule.decide(existing: self.stored(.pending, .confirmed, 3), incoming: self.record(12, .pending), threshold: 12)
        #expect(decision == .update(merged: self.stored(.queued, .confirmed, 12)))
        let older = IngestRule.decide(existing: self.stored(.pending, .confirmed, 7), incoming: self.record(1, .confirmed), threshold: 12)
        #expect(older == .update(merged: self.stored(.pending, .confirmed, 7)))
    }

    @Test func pastPendingOnlyTheConfirmationsMove() {
        let decision = IngestRule.decide(existing: self.stored(.credited, .confirmed, 12), incoming: self.record(30, .failed), threshold: 12)
        #expect(decision == .update(merged: self.stored(.credited, .confirmed, 30)))
    }

    @Test func aContradictingRepeatNamesTheFirstDifferingTerm() {
        let existing = self.stored(.pending, .confirmed, 3, user: "u1")
        #expect(IngestRule.decide(existing: existing, incoming: self.record(20, amount: "2", user: "u2"), threshold: 12)
            == .conflict(reason: "amount differs from the recorded transfer"))
        #expect(IngestRule.decide(existing: existing, incoming: self.record(20, user: nil), threshold: 12)
            == .conflict(reason: "user_id differs from the recorded transfer"))
        var otherCurrency = self.record(20, user: "u1")
        otherCurrency.currency = "BUSD"
        #expect(IngestRule.decide(existing: existing, incoming: otherCurrency, threshold: 12)
            == .conflict(reason: "currency differs from the recorded transfer"))
    }

    @Test func anAgreeingRepeatOnlyRaisesConfirmationsAndOnlyQueuesOutOfPending() async {
        await propertyCheck(count: 1_000, input: RuleGen.stored, RuleGen.record, RuleGen.threshold) { existing, incoming, threshold in
            switch IngestRule.decide(existing: existing, incoming: incoming, threshold: threshold) {
            case .create:
                Issue.record("a repeat is never a first sighting")
            case .conflict:
                #expect(IngestRule.conflict(existing.terms, IngestRule.Terms(incoming)) != nil)
            case .update(let merged):
                #expect(merged.terms == existing.terms)
                #expect(merged.confirmations == max(existing.confirmations, incoming.confirmations))
                if existing.state != .pending {
                    #expect(merged.state == existing.state && merged.chainStatus == existing.chainStatus)
                } else {
                    #expect(merged.state == .pending || merged.state == .queued)
                    #expect(incoming.chainStatus != .pending || merged.chainStatus == existing.chainStatus)
                }
                // A second delivery of the same webhook changes nothing more.
                #expect(IngestRule.decide(existing: merged, incoming: incoming, threshold: threshold) == .update(merged: merged))
            }
        }
    }

    /// Over every stored row ingest can produce (a pending deposit's chain status is never
    /// `failed`: that is ready at first sight), the rule queues exactly when the upsert's
    /// previous hand-written condition did.
    @Test func onReachableRowsTheRuleQueuesWhenThePreviousConditionDid() async {
        let status = Gen.int(in: 0...1).map { [ChainStatus.pending, .confirmed][$0] }
        await propertyCheck(count: 1_000, input: status, RuleGen.confirmations, RuleGen.record, RuleGen.threshold) { status, count, incoming, threshold in
            let existing = IngestRule.Stored(state: .pending, chainStatus: status, confirmations: count, terms: IngestRule.Terms(incoming))
            let merged = max(count, incoming.confirmations)
            let previous = incoming.chainStatus == .failed
                || (incoming.chainStatus == .confirmed && merged >= threshold)
                || (incoming.chainStatus == .pending && status == .confirmed && merged >= threshold)
            guard case .update(let result) = IngestRule.decide(existing: existing, incoming: incoming, threshold: threshold) else {
                Issue.record("agreeing terms must update")
                return
            }
            #expect((result.state == .queued) == previous)
        }
    }

    @Test func theUpsertClauseIsOneDefinitionSpelledInEachDialect() {
        let postgres = IngestRule.onConflictSQL(threshold: "$2", in: .postgres)
        let sqlite = IngestRule.onConflictSQL(threshold: "?2", in: .sqlite)
        #expect(postgres == IngestRule.onConflictSQL(threshold: "$2", in: .postgres), "stable text: one prepared statement shape")
        let translated = postgres
            .replacingOccurrences(of: "IS NOT DISTINCT FROM", with: "IS")
            .replacingOccurrences(of: "GREATEST(", with: "max(")
            .replacingOccurrences(of: "EXCLUDED", with: "excluded")
            .replacingOccurrences(of: "$2", with: "?2")
        #expect(translated == sqlite)
        #expect(postgres.contains("WHERE t.amount = EXCLUDED.amount AND t.currency = EXCLUDED.currency AND t.user_ref IS NOT DISTINCT FROM EXCLUDED.user_ref"))
        #expect(postgres.contains("confirmations = GREATEST(t.confirmations, EXCLUDED.confirmations)"))
        #expect(sqlite.contains("state = CASE WHEN t.state = 'pending' AND (CASE WHEN excluded.chain_status IN ('confirmed', 'failed')"))
    }
}
