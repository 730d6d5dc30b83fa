import PropertyBased
import Testing

@testable import Actors

/// A worker's failed attempt: retried until `maxAttempts`, then the deposit is parked dead.
@Suite struct FailedAttemptTests {
    @Test func aFailedAttemptRetriesUntilTheLastThenParksTheDepositDead() {
        #expect(FailedAttempt.decide(attempts: 1, maxAttempts: 3, reason: "x") == .retry)
        #expect(FailedAttempt.decide(attempts: 2, maxAttempts: 3, reason: "x").state == .queued)
        let dead = FailedAttempt.decide(attempts: 3, maxAttempts: 3, reason: "store unreachable")
        #expect(dead == .dead(AuditEntry(actor: "worker", action: "dead", detail: "gave up after 3 attempts: store unreachable")))
        #expect(dead.state == .dead)
        #expect(FailedAttempt.decide(attempts: 5, maxAttempts: 3, reason: "x").state == .dead)
    }

    @Test func deadExactlyFromTheLastAttemptOn() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...20), Gen.int(in: 1...20)) { attempts, maxAttempts in
            let decision = FailedAttempt.decide(attempts: attempts, maxAttempts: maxAttempts, reason: "r")
            #expect((decision.state == .dead) == (attempts >= maxAttempts))
            if case .dead(let audit) = decision {
                #expect(audit.detail == "gave up after \(attempts) attempts: r")
            }
        }
    }
}
