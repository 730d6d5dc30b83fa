import Actors
import Foundation
import TestSupport
import Testing

/// The invariants of docs/API.md ("Invariants") after a run against real processes: every tx_id answered 202 is
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
