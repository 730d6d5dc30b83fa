import Foundation
import Testing

@testable import Actors

/// The operator's transitions: which states they start from, the exact messages the admin
/// routes answer with, and their audit rows.
@Suite struct DepositTransitionTests {
    @Test func assignStartsOnlyFromUnmatchedAndRequeueOnlyFromDead() throws {
        let user = UUID()
        for state in DepositState.allCases {
            #expect(((try? DepositTransition.assign(user: user).check(state)) != nil) == (state == .unmatched))
            #expect(((try? DepositTransition.requeue.check(state)) != nil) == (state == .dead))
        }
        try DepositTransition.assign(user: user).check(.unmatched)
        try DepositTransition.requeue.check(.dead)
        #expect(DepositTransition.assign(user: user).to == .queued && DepositTransition.requeue.to == .queued)
    }

    @Test func refusalsCarryTheMessagesTheAdminRoutesReturn() {
        #expect(throws: ServiceError(.conflict, "")) { try DepositTransition.requeue.check(.credited) }
        do {
            try DepositTransition.assign(user: UUID()).check(.credited)
            Issue.record("assigning a credited deposit must be refused")
        } catch {
            #expect(error.message == "only an unmatched deposit can be assigned; this one is credited")
        }
        do {
            try DepositTransition.requeue.check(.queued)
            Issue.record("requeueing a queued deposit must be refused")
        } catch {
            #expect(error.message == "only a dead deposit can be requeued; this one is queued")
        }
        do {
            try DepositTransition.requeue.check(nil)
            Issue.record("an unknown deposit must be refused")
        } catch {
            #expect(error == ServiceError(.notFound, ""))
            #expect(error.message == "no transaction with this tx_id")
        }
        #expect(DepositTransition.unknownUser == "user_id names no user")
    }

    @Test func eachTransitionWritesItsAuditRow() throws {
        let user = try #require(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF"))
        #expect(DepositTransition.assign(user: user).audit
            == AuditEntry(actor: "admin", action: "assign", detail: "assigned to 6f9619ff-8b86-d011-b42d-00c04fc964ff"))
        #expect(DepositTransition.requeue.audit == AuditEntry(actor: "admin", action: "requeue", detail: "queued again"))
    }
}
