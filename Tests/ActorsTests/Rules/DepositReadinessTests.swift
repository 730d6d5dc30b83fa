import PropertyBased
import Testing

@testable import Actors

/// When chain data makes a deposit ready, over values, and the same rule as SQL text.
@Suite struct DepositReadinessTests {
    @Test func failedIsReadyAtOnceConfirmedAtTheThresholdPendingNever() {
        #expect(DepositReadiness.isReady(status: .failed, confirmations: 0, threshold: 12))
        #expect(!DepositReadiness.isReady(status: .confirmed, confirmations: 11, threshold: 12))
        #expect(DepositReadiness.isReady(status: .confirmed, confirmations: 12, threshold: 12))
        #expect(!DepositReadiness.isReady(status: .pending, confirmations: 1_000, threshold: 12))
        #expect(DepositReadiness.isReady(status: .confirmed, confirmations: 0, threshold: 0))
    }

    @Test func onlyAPendingReportCarriesNoNews() {
        #expect(ChainStatus.allCases.filter { !DepositReadiness.carriesNews($0) } == [.pending])
    }

    @Test func theSQLFormListsEachStatusByItsRequirement() {
        #expect(DepositReadiness.sql(status: "s", confirmations: "c", threshold: "$2") == "(s IN ('failed') OR (s IN ('confirmed') AND c >= $2))")
        #expect(DepositReadiness.newsStatusesSQL == "('confirmed', 'failed')")
    }
}
