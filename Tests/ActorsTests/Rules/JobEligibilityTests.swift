import Foundation
import PropertyBased
import Testing

@testable import Actors

/// Which jobs a worker may claim and when a lease has expired, over values and as SQL.
@Suite struct JobEligibilityTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test func aDueJobWithoutALiveLeaseIsClaimable() {
        #expect(JobEligibility.isClaimable(runAt: self.now, lockedUntil: nil, now: self.now))
        #expect(!JobEligibility.isClaimable(runAt: self.now + 1, lockedUntil: nil, now: self.now))
        #expect(!JobEligibility.isClaimable(runAt: self.now - 5, lockedUntil: self.now + 1, now: self.now))
        // A lease ending exactly now is free, and not yet "expired" for verify.
        #expect(JobEligibility.isClaimable(runAt: self.now - 5, lockedUntil: self.now, now: self.now))
        #expect(!JobEligibility.isExpired(lockedUntil: self.now, now: self.now))
        #expect(JobEligibility.isExpired(lockedUntil: self.now - 0.001, now: self.now))
        #expect(!JobEligibility.isExpired(lockedUntil: nil, now: self.now))
    }

    /// An expired lease never blocks a claim: what verify reports, a worker can take over.
    @Test func anExpiredLeaseIsAlwaysFree() async {
        let offset = Gen.int(in: -5...5)
        await propertyCheck(count: 300, input: offset, offset) { due, lease in
            let lockedUntil = self.now + TimeInterval(lease)
            if JobEligibility.isExpired(lockedUntil: lockedUntil, now: self.now) {
                #expect(JobEligibility.isLeaseFree(lockedUntil: lockedUntil, now: self.now))
                #expect(JobEligibility.isClaimable(runAt: self.now + TimeInterval(due), lockedUntil: lockedUntil, now: self.now) == (due <= 0))
            }
        }
    }

    @Test func theSQLFormsCompareWithTheDatabasesClock() {
        #expect(JobEligibility.claimableSQL(in: .postgres) == "run_at <= now() AND (locked_until IS NULL OR locked_until <= now())")
        let sqliteNow = "CAST(unixepoch('subsec') * 1000 AS INTEGER)"
        #expect(JobEligibility.claimableSQL(in: .sqlite) == "run_at <= \(sqliteNow) AND (locked_until IS NULL OR locked_until <= \(sqliteNow))")
        #expect(JobEligibility.expiredSQL(in: .postgres) == "locked_until IS NOT NULL AND locked_until < now()")
    }
}
