import Foundation
import Testing

@testable import Actors

/// The balance ceiling, decided without a database: credits are summed per wallet with
/// checked arithmetic, and one that would pass ``Amount/maximum`` is refused alone.
@Suite struct SettlementTests {
    let alice = UUID()
    let bob = UUID()

    private func amount(_ text: String) -> Amount { try! Amount(parsing: text) }

    @Test func aCreditThatWouldPassTheMaximumIsRefusedAndTheRestCredit() {
        let nearMaximum = self.amount("99999999999999999999")  // 10^20 - 1
        let settlements: [Settlement] = [
            .credit(user: self.alice, amount: self.amount("0.5")),
            .credit(user: self.alice, amount: self.amount("1")),
            .credit(user: self.bob, amount: self.amount("2")),
            .unmatched,
            .credit(user: self.alice, amount: self.amount("0.25")),
        ]
        let checked = Settlement.applyCeiling(settlements, balances: [self.alice: nearMaximum, self.bob: self.amount("3")])
        #expect(checked.settlements == [
            .credit(user: self.alice, amount: self.amount("0.5")),
            .balanceCeiling(user: self.alice, amount: self.amount("1"), balance: self.amount("99999999999999999999.5")),
            .credit(user: self.bob, amount: self.amount("2")),
            .unmatched,
            // A smaller credit after the refused one still fits.
            .credit(user: self.alice, amount: self.amount("0.25")),
        ])
        #expect(checked.balances == [self.alice: self.amount("99999999999999999999.75"), self.bob: self.amount("5")])
    }

    @Test func aCreditReachingExactlyTheMaximumFits() {
        let checked = Settlement.applyCeiling(
            [.credit(user: self.alice, amount: self.amount("1"))],
            balances: [self.alice: self.amount("99999999999999999998.999999999999999999")]
        )
        #expect(checked.settlements == [.credit(user: self.alice, amount: self.amount("1"))])
        #expect(checked.balances[self.alice] == Amount.maximum)
    }

    @Test func aWalletWithoutABalanceStartsAtZero() {
        let checked = Settlement.applyCeiling([.credit(user: self.alice, amount: Amount.maximum)], balances: [:])
        #expect(checked.settlements == [.credit(user: self.alice, amount: Amount.maximum)])
        let over = Settlement.applyCeiling(
            [.credit(user: self.alice, amount: Amount.maximum), .credit(user: self.alice, amount: self.amount("0.000000000000000001"))],
            balances: [:]
        )
        #expect(over.settlements[1] == .balanceCeiling(user: self.alice, amount: self.amount("0.000000000000000001"), balance: Amount.maximum))
    }

    @Test func aRefusalIsAFailedDepositWithItsReasonAndUser() {
        let refusal = Settlement.balanceCeiling(user: self.alice, amount: self.amount("1"), balance: self.amount("99999999999999999999.5"))
        #expect(refusal.outcome == .balanceCeiling)
        #expect(refusal.finalState == .failed)
        #expect(refusal.settledUser == self.alice)
        #expect(refusal.auditAction == "balance_ceiling")
        let reason = try! #require(refusal.failureReason)
        #expect(reason.hasPrefix("balance_ceiling: crediting 1 to deposit_balance 99999999999999999999.5 would exceed"))
        #expect(Settlement.failed.failureReason?.hasPrefix("chain_failed") == true)
        #expect(Settlement.credit(user: self.alice, amount: self.amount("1")).failureReason == nil)
    }
}
