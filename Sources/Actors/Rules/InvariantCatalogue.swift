import Foundation

/// The invariants `cricalgo verify` checks (docs/API.md "Invariants"): each kind, what it
/// means, and how both stores check it.
///
/// Row-shaped checks are one SQL query each, rendered for the store's dialect from
/// ``query(_:in:)``: it returns `(subject, info)` pairs and ``detail(_:info:)`` words them.
/// Sum-shaped checks (``balanceViolations(balances:ledgerSums:)``) are pure Swift over
/// ``Amount`` values on both stores: SQLite sums the ledger in Swift (its `sum()` would go
/// through floating point), PostgreSQL sums in NUMERIC and only pre-filters in SQL.
/// ``InvariantViolation/txHashCollisions(_:)`` groups the rows that spell one transfer twice.
enum InvariantCatalogue {
    /// What a violation of `kind` means.
    static func meaning(of kind: InvariantViolation.Kind) -> String {
        switch kind {
        case .creditedWithoutLedgerEntry: "a credited deposit has no ledger entry: the wallet was never credited for it"
        case .ledgerEntryWithoutCredit: "a ledger entry belongs to a deposit that is not credited (or no longer exists)"
        case .balanceMismatch: "a wallet's deposit_balance differs from the sum of its ledger entries"
        case .expiredLease: "a job is still leased past its lease's end: its worker died or stalled"
        case .queuedWithoutJob: "a queued deposit has no job: no worker will ever settle it"
        case .jobForSettledDeposit: "a job exists for a deposit that is not queued (or no longer exists)"
        case .negativeBalance: "a wallet's deposit_balance is below zero"
        case .txHashCollision: "several rows are one transfer under the canonical tx_hash: it could be credited twice"
        }
    }

    /// The kinds checked by one SQL query each, in the order `verify()` runs them.
    static let queriedKinds: [InvariantViolation.Kind] = [
        .creditedWithoutLedgerEntry, .ledgerEntryWithoutCredit, .expiredLease, .queuedWithoutJob, .jobForSettledDeposit,
    ]

    /// The query finding violations of `kind` as `(subject, info)` text columns, nil for a
    /// kind not checked by such a query.
    static func query(_ kind: InvariantViolation.Kind, in dialect: SQLDialect) -> String? {
        let credited = SQLDialect.literal(DepositState.credited.rawValue)
        let queued = SQLDialect.literal(DepositState.queued.rawValue)
        switch kind {
        case .creditedWithoutLedgerEntry:
            return """
                SELECT \(dialect.text("t.id")) AS subject, \(dialect.text("t.amount")) AS info FROM transactions t
                LEFT JOIN ledger_entries l ON l.tx_id = t.id
                WHERE t.state = \(credited) AND l.id IS NULL
                """
        case .ledgerEntryWithoutCredit:
            return """
                SELECT \(dialect.text("l.tx_id")) AS subject, COALESCE(t.state, 'missing') AS info FROM ledger_entries l
                LEFT JOIN transactions t ON t.id = l.tx_id
                WHERE \(dialect.isDistinct("t.state", credited))
                """
        case .expiredLease:
            return """
                SELECT \(dialect.text("tx_id")) AS subject, locked_by AS info FROM deposit_jobs
                WHERE \(JobEligibility.expiredSQL(in: dialect))
                """
        case .queuedWithoutJob:
            return """
                SELECT \(dialect.text("t.id")) AS subject, t.state AS info FROM transactions t
                LEFT JOIN deposit_jobs j ON j.tx_id = t.id
                WHERE t.state = \(queued) AND j.tx_id IS NULL
                """
        case .jobForSettledDeposit:
            return """
                SELECT \(dialect.text("j.tx_id")) AS subject, COALESCE(t.state, 'missing') AS info FROM deposit_jobs j
                LEFT JOIN transactions t ON t.id = j.tx_id
                WHERE \(dialect.isDistinct("t.state", queued))
                """
        case .balanceMismatch, .negativeBalance, .txHashCollision:
            return nil
        }
    }

    /// The violation's detail from a query's `info` column.
    static func detail(_ kind: InvariantViolation.Kind, info: String) -> String {
        switch kind {
        case .creditedWithoutLedgerEntry: "credited \(info) with no ledger entry"
        case .ledgerEntryWithoutCredit: "ledger entry for a deposit in state \(info)"
        case .expiredLease: "lease held by \(info) has expired"
        case .queuedWithoutJob: "deposit is \(info) but has no job"
        case .jobForSettledDeposit: "job exists for a deposit in state \(info)"
        case .balanceMismatch, .negativeBalance, .txHashCollision: info
        }
    }

    /// Every wallet's balance against the sum of its ledger entries: a negative balance
    /// and a balance that is not the sum are violations. A user missing from one side has
    /// zero there. Users are reported in text order.
    static func balanceViolations(balances: [String: Amount], ledgerSums: [String: Amount]) -> [InvariantViolation] {
        var violations: [InvariantViolation] = []
        for user in Set(ledgerSums.keys).union(balances.keys).sorted() {
            let balance = balances[user] ?? .zero
            let total = ledgerSums[user] ?? .zero
            if balance.units < 0 {
                violations.append(InvariantViolation(kind: .negativeBalance, subject: user, detail: "deposit_balance \(balance)"))
            }
            if balance != total {
                violations.append(InvariantViolation(
                    kind: .balanceMismatch, subject: user, detail: "deposit_balance \(balance) != \(total) (sum of ledger entries)"
                ))
            }
        }
        return violations
    }

    /// Sums ledger entries per user with checked ``Amount`` arithmetic.
    struct LedgerSums: Sendable {
        private(set) var totals: [String: Amount] = [:]

        mutating func add(_ amount: Amount, to user: String) throws(ServiceError) {
            guard let total = (self.totals[user] ?? .zero).adding(amount) else { throw Self.outOfRange }
            self.totals[user] = total
        }

        /// A sum past what ``Amount`` represents: verify cannot judge it.
        static var outOfRange: ServiceError { ServiceError(.storeFailure, "ledger sum exceeds the representable range") }
    }
}
