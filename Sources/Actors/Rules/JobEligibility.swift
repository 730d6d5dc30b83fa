import Foundation

/// Which deposit jobs a worker may take, and when a lease has run out
/// (docs/API.md "Deposit lifecycle"). Times are the database's clock on both stores, so the
/// SQL forms compare against ``SQLDialect/now``.
enum JobEligibility {
    /// A job is claimable once due and while no live lease holds it (a lease ending exactly
    /// now is free).
    static func isClaimable(runAt: Date, lockedUntil: Date?, now: Date) -> Bool {
        runAt <= now && Self.isLeaseFree(lockedUntil: lockedUntil, now: now)
    }

    static func isLeaseFree(lockedUntil: Date?, now: Date) -> Bool {
        lockedUntil.map { $0 <= now } ?? true
    }

    /// A lease still recorded past its end: its worker died or stalled (an invariant
    /// violation for `cricalgo verify`, ``InvariantCatalogue``).
    static func isExpired(lockedUntil: Date?, now: Date) -> Bool {
        lockedUntil.map { $0 < now } ?? false
    }

    /// ``isClaimable(runAt:lockedUntil:now:)`` over `deposit_jobs` columns.
    static func claimableSQL(in dialect: SQLDialect) -> String {
        "run_at <= \(dialect.now) AND \(Self.leaseFreeSQL(in: dialect))"
    }

    static func leaseFreeSQL(in dialect: SQLDialect) -> String {
        "(locked_until IS NULL OR locked_until <= \(dialect.now))"
    }

    /// ``isExpired(lockedUntil:now:)`` over `deposit_jobs` columns.
    static func expiredSQL(in dialect: SQLDialect) -> String {
        "locked_until IS NOT NULL AND locked_until < \(dialect.now)"
    }
}
