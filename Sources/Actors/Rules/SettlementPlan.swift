import Foundation

/// The settlement of one batch of claimed jobs, decided without I/O (docs/API.md "Deposit
/// lifecycle"). The stores read, in one transaction, the deposits whose jobs still carry
/// their lease, the users those deposits name, and the balances of the wallets to credit;
/// the plan says what to write:
///
/// 1. ``init(claimOrder:rows:knownUsers:)`` puts the deposits in claim order (oldest first)
///    and decides each one (``Settlement/decide(state:chainStatus:candidate:knownUsers:amount:)``).
/// 2. ``walletUsers`` are the wallets to create if missing and lock, in lock order.
/// 3. ``applyBalances(_:)`` sums the credits per wallet in claim order with checked
///    arithmetic; a credit that would pass ``Amount/maximum`` is refused alone
///    (``Settlement/balanceCeiling(user:amount:balance:)``).
/// 4. ``credits`` (ledger entries), ``newBalances`` (wallets), ``settled`` (final states and
///    audit rows) and ``outcomes(for:)`` are what the store writes and returns.
struct SettlementPlan: Sendable {
    /// A claimed deposit as the store reads it.
    struct Row: Sendable, Hashable {
        var id: UUID
        var state: DepositState
        var chainStatus: String
        var amount: Amount
        /// ``Settlement/candidate(assigned:reference:)`` of the row.
        var candidate: UUID?
    }

    /// One ledger entry to insert.
    struct Credit: Sendable, Hashable {
        var txID: UUID
        var user: UUID
        var amount: Amount
    }

    /// One deposit leaving `queued`: its final state, settled user, failure reason and audit row.
    struct Final: Sendable, Hashable {
        var txID: UUID
        var state: DepositState
        var user: UUID?
        var failureReason: String?
        var audit: AuditEntry
    }

    /// The deposits in claim order, each with its settlement.
    private(set) var decisions: [(row: Row, settlement: Settlement)]
    /// Each credited wallet's balance after the batch (set by ``applyBalances(_:)``).
    private(set) var newBalances: [UUID: Amount] = [:]

    /// The users whose existence decides between credit and unmatched.
    static func candidates(_ rows: [Row]) -> [UUID] {
        Array(Set(rows.lazy.compactMap(\.candidate)))
    }

    /// - Parameters:
    ///   - claimOrder: the jobs as claimed (oldest first); rows are settled in this order,
    ///     so at the ceiling the earlier deposit is the one credited.
    ///   - rows: the deposits whose jobs are still held, in any order.
    ///   - knownUsers: which of ``candidates(_:)`` exist.
    init(claimOrder: [ClaimedJob], rows: [Row], knownUsers: Set<UUID>) {
        var position: [UUID: Int] = [:]
        position.reserveCapacity(claimOrder.count)
        for (index, job) in claimOrder.enumerated() { position[job.txID] = index }
        let ordered = rows.sorted { position[$0.id, default: 0] < position[$1.id, default: 0] }
        self.decisions = ordered.map { row in
            (row, Settlement.decide(state: row.state, chainStatus: row.chainStatus, candidate: row.candidate, knownUsers: knownUsers, amount: row.amount))
        }
    }

    /// The wallets the batch settles to (credited or refused at the ceiling), in the order
    /// they are locked (by user id text, the same on both stores).
    var walletUsers: [UUID] {
        Array(Set(self.decisions.lazy.compactMap(\.settlement.settledUser))).sorted { $0.uuidString < $1.uuidString }
    }

    /// Checks the credits against the wallets' balances before the batch (a user missing
    /// from `balances` has none yet: zero); see ``Settlement/applyCeiling(_:balances:)``.
    mutating func applyBalances(_ balances: [UUID: Amount]) {
        var running: [UUID: Amount] = [:]
        for index in self.decisions.indices {
            self.decisions[index].settlement = self.decisions[index].settlement.checkedAgainstCeiling(running: &running, balances: balances)
        }
        self.newBalances = running
    }

    /// Whether ``applyBalances(_:)`` refused a credit at the ceiling. Applied to empty
    /// wallets (no balances), false means every credit fits whatever the balances, as long
    /// as each wallet has room for its sum in ``newBalances`` (credits are positive).
    var refusesAtCeiling: Bool {
        self.decisions.contains { _, settlement in
            if case .balanceCeiling = settlement { true } else { false }
        }
    }

    /// The ledger entries to insert, in claim order.
    var credits: [Credit] {
        self.decisions.compactMap { row, settlement in
            if case .credit(let user, let amount) = settlement { Credit(txID: row.id, user: user, amount: amount) } else { nil }
        }
    }

    /// The deposits that change state, in claim order.
    var settled: [Final] {
        self.decisions.compactMap { row, settlement in
            guard let state = settlement.finalState, let audit = settlement.audit else { return nil }
            return Final(txID: row.id, state: state, user: settlement.settledUser, failureReason: settlement.failureReason, audit: audit)
        }
    }

    /// Every claimed job's outcome: its settlement's, or ``JobOutcome/leaseLost`` for a job
    /// the batch no longer held.
    func outcomes(for jobs: [ClaimedJob]) -> [UUID: JobOutcome] {
        var outcomes = Self.allLost(jobs)
        for (row, settlement) in self.decisions { outcomes[row.id] = settlement.outcome }
        return outcomes
    }

    /// The outcomes when no job was still held.
    static func allLost(_ jobs: [ClaimedJob]) -> [UUID: JobOutcome] {
        Dictionary(jobs.lazy.map { ($0.txID, JobOutcome.leaseLost) }, uniquingKeysWith: { first, _ in first })
    }
}
