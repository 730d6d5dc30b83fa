import Foundation
import PropertyBased
import Testing

@testable import Actors

/// A batch's settlement from claimed rows, known users and balances, without a database.
@Suite struct SettlementPlanTests {
    let alice = UUID()
    let bob = UUID()

    private func amount(_ text: String) -> Amount { try! Amount(parsing: text) }

    private func job(_ id: UUID) -> ClaimedJob { ClaimedJob(txID: id, leaseToken: UUID(), owner: "w", failedAttempts: 0) }

    private func row(_ id: UUID, user: UUID?, amount: String = "1", state: DepositState = .queued, chain: ChainStatus = .confirmed) -> SettlementPlan.Row {
        SettlementPlan.Row(id: id, state: state, chainStatus: chain.rawValue, amount: self.amount(amount), candidate: user)
    }

    @Test func aBatchSettlesEachDepositAndReportsLostLeases() {
        let (credited, unmatched, failed, final, lost) = (UUID(), UUID(), UUID(), UUID(), UUID())
        let stranger = UUID()
        let jobs = [credited, unmatched, failed, final, lost].map(self.job)
        let rows = [
            self.row(final, user: self.alice, state: .credited),
            self.row(failed, user: self.alice, chain: .failed),
            self.row(unmatched, user: stranger),
            self.row(credited, user: self.alice, amount: "2.5"),
        ]
        #expect(Set(SettlementPlan.candidates(rows)) == [self.alice, stranger])
        var plan = SettlementPlan(claimOrder: jobs, rows: rows, knownUsers: [self.alice])
        #expect(plan.decisions.map(\.row.id) == [credited, unmatched, failed, final], "claim order")
        #expect(plan.walletUsers == [self.alice])
        plan.applyBalances([self.alice: self.amount("1")])
        #expect(plan.credits == [SettlementPlan.Credit(txID: credited, user: self.alice, amount: self.amount("2.5"))])
        #expect(plan.newBalances == [self.alice: self.amount("3.5")])
        #expect(plan.settled.map(\.txID) == [credited, unmatched, failed])
        #expect(plan.settled.map(\.state) == [.credited, .unmatched, .failed])
        #expect(plan.settled.map(\.audit) == [
            AuditEntry(actor: "worker", action: "credited", detail: "credited 2.5"),
            AuditEntry(actor: "worker", action: "unmatched", detail: "no such user"),
            AuditEntry(actor: "worker", action: "failed", detail: "chain reported failure"),
        ])
        #expect(plan.settled[2].failureReason == "chain_failed: the chain reported the transfer failed")
        #expect(plan.outcomes(for: jobs) == [
            credited: .credited, unmatched: .unmatched, failed: .failed, final: .alreadyFinal, lost: .leaseLost,
        ])
    }

    @Test func atTheCeilingTheEarlierClaimIsCreditedAndTheLaterRefused() {
        let (first, second) = (UUID(), UUID())
        var plan = SettlementPlan(
            claimOrder: [first, second].map(self.job),
            rows: [self.row(second, user: self.alice, amount: "1"), self.row(first, user: self.alice, amount: "1")],
            knownUsers: [self.alice]
        )
        plan.applyBalances([self.alice: self.amount("99999999999999999998")])
        #expect(plan.outcomes(for: []) == [first: .credited, second: .balanceCeiling])
        #expect(plan.settled.map(\.user) == [self.alice, self.alice])
        #expect(plan.settled[1].audit.action == "balance_ceiling")
        #expect(plan.newBalances[self.alice] == self.amount("99999999999999999999"))
    }

    /// Whatever the batch: every credited amount lands in its wallet exactly once, no
    /// wallet passes the maximum, and a refusal only happens when the credit would not fit.
    @Test func creditsAddUpAndNeverPassTheMaximum() async {
        let users = [self.alice, self.bob, UUID()]
        let units = Gen.int128(in: 1...Amount.maximum.units / 3)
        let entry = zip(Gen.int(in: 0...2), units, Gen.int(in: 0...5))
        let start = Gen.int128(in: 0...Amount.maximum.units)
        await propertyCheck(count: 500, input: entry.array(of: 1...12), start, start) { entries, aliceStart, bobStart in
            let ids = entries.map { _ in UUID() }
            let rows = zip(ids, entries).map { id, entry in
                SettlementPlan.Row(
                    id: id, state: entry.2 == 0 ? .credited : .queued, chainStatus: entry.2 == 1 ? "failed" : "confirmed",
                    amount: Amount(units: entry.1)!, candidate: users[entry.0]
                )
            }
            let balances = [self.alice: Amount(units: aliceStart)!, self.bob: Amount(units: bobStart)!]
            var plan = SettlementPlan(claimOrder: ids.map(self.job), rows: rows.shuffled(), knownUsers: [self.alice, self.bob])
            plan.applyBalances(balances)
            var expected = balances
            for (_, settlement) in plan.decisions {
                switch settlement {
                case .credit(let user, let amount):
                    let after = (expected[user] ?? .zero).adding(amount)
                    #expect(after != nil && after!.units <= Amount.maximum.units)
                    expected[user] = after
                case .balanceCeiling(let user, let amount, let balance):
                    #expect(balance == (expected[user] ?? .zero))
                    #expect((balance.adding(amount)?.units ?? Int128.max) > Amount.maximum.units)
                case .alreadyFinal, .failed, .unmatched:
                    break
                }
            }
            for (user, balance) in plan.newBalances { #expect(expected[user] == balance) }
            #expect(plan.outcomes(for: ids.map(self.job)).count == ids.count)
            #expect(plan.settled.count == plan.decisions.filter { $0.row.state == .queued }.count)
        }
    }

    /// PostgreSQL's wallets-last credit: a plan that refuses nothing against empty wallets,
    /// applied to balances with room for each wallet's sum, settles exactly as the plan
    /// applied to those balances does and ends at balance + sum; when a wallet has no room
    /// for its sum, the exact plan refuses a credit (so the store must settle it that way).
    @Test func aPlanThatFitsEmptyWalletsSettlesTheSameOnBalancesWithRoom() async {
        let users = [self.alice, self.bob]
        let units = Gen.int128(in: 1...Amount.maximum.units / 8)
        let entry = zip(Gen.int(in: 0...1), units)
        let start = Gen.int128(in: 0...Amount.maximum.units / 2)
        await propertyCheck(count: 500, input: entry.array(of: 1...6), start, start) { entries, aliceStart, bobStart in
            let ids = entries.map { _ in UUID() }
            let rows = zip(ids, entries).map { id, entry in
                SettlementPlan.Row(id: id, state: .queued, chainStatus: "confirmed", amount: Amount(units: entry.1)!, candidate: users[entry.0])
            }
            let balances = [self.alice: Amount(units: aliceStart)!, self.bob: Amount(units: bobStart)!]
            let plan = SettlementPlan(claimOrder: ids.map(self.job), rows: rows, knownUsers: [self.alice, self.bob])
            var empty = plan
            empty.applyBalances([:])
            var exact = plan
            exact.applyBalances(balances)
            #expect(!empty.refusesAtCeiling)
            let room = empty.newBalances.allSatisfy { user, sum in
                (balances[user] ?? .zero).adding(sum).map { $0.units <= Amount.maximum.units } ?? false
            }
            if room {
                #expect(!exact.refusesAtCeiling)
                #expect(exact.credits == empty.credits)
                #expect(exact.settled == empty.settled)
                for (user, sum) in empty.newBalances { #expect(exact.newBalances[user] == (balances[user] ?? .zero).adding(sum)) }
            } else {
                #expect(exact.refusesAtCeiling)
            }
        }
    }

    @Test func creditsThatPassTheMaximumTogetherAreRefusedEvenAgainstEmptyWallets() {
        let (first, second) = (UUID(), UUID())
        var plan = SettlementPlan(
            claimOrder: [first, second].map(self.job),
            rows: [self.row(first, user: self.alice, amount: "60000000000000000000"), self.row(second, user: self.alice, amount: "60000000000000000000")],
            knownUsers: [self.alice]
        )
        plan.applyBalances([:])
        #expect(plan.refusesAtCeiling)
        #expect(plan.outcomes(for: []) == [first: .credited, second: .balanceCeiling])
    }
}
