import Foundation

/// What a worker does with one deposit it holds the lease for (docs/API.md "Deposit
/// lifecycle"): `queued → credited | unmatched | failed`. ``SettlementPlan`` applies it to a
/// batch; the stores only read the rows and write the plan.
enum Settlement: Sendable, Hashable {
    /// Someone settled it already; only the job goes.
    case alreadyFinal
    /// The chain reported the transfer failed: no credit.
    case failed
    /// No known user: parked for an operator to assign.
    case unmatched
    /// Credit `amount` to `user`.
    case credit(user: UUID, amount: Amount)
    /// Crediting `amount` would take `user`'s deposit_balance (`balance` before this credit)
    /// past ``Amount/maximum``, the largest NUMERIC(38,18): settled as `failed` with the
    /// reason stored, nothing credited.
    case balanceCeiling(user: UUID, amount: Amount, balance: Amount)

    /// The user a deposit points at: the one an operator assigned, else `user_ref` when it
    /// is a UUID.
    static func candidate(assigned: UUID?, reference: String?) -> UUID? {
        assigned ?? reference.flatMap(UUID.init(uuidString:))
    }

    static func decide(state: DepositState, chainStatus: String, candidate: UUID?, knownUsers: Set<UUID>, amount: Amount) -> Settlement {
        if state.isFinal { return .alreadyFinal }
        if chainStatus == ChainStatus.failed.rawValue { return .failed }
        guard let user = candidate, knownUsers.contains(user) else { return .unmatched }
        return .credit(user: user, amount: amount)
    }

    /// Checks a batch's credits against the wallets' balances: credits are added per user in
    /// batch order with checked ``Amount/adding(_:)``; a credit that would pass
    /// ``Amount/maximum`` becomes ``balanceCeiling(user:amount:balance:)`` and the ones after
    /// it are still tried (a smaller one may fit). Returns the settlements in input order and
    /// each credited user's new balance.
    ///
    /// - Parameter balances: each credited user's deposit_balance before the batch; a user
    ///   missing from it has none yet (zero).
    static func applyCeiling(_ settlements: [Settlement], balances: [UUID: Amount]) -> (settlements: [Settlement], balances: [UUID: Amount]) {
        var running: [UUID: Amount] = [:]
        let result = settlements.map { $0.checkedAgainstCeiling(running: &running, balances: balances) }
        return (result, running)
    }

    /// One step of ``applyCeiling(_:balances:)``: a credit that fits is added to
    /// `running` (the credited users' balances so far in the batch); one that does not
    /// becomes ``balanceCeiling(user:amount:balance:)``. Other settlements pass unchanged.
    func checkedAgainstCeiling(running: inout [UUID: Amount], balances: [UUID: Amount]) -> Settlement {
        guard case .credit(let user, let amount) = self else { return self }
        let balance = running[user] ?? balances[user] ?? .zero
        guard let next = balance.adding(amount), next.units <= Amount.maximum.units else {
            return .balanceCeiling(user: user, amount: amount, balance: balance)
        }
        running[user] = next
        return self
    }

    var outcome: JobOutcome {
        switch self {
        case .alreadyFinal: .alreadyFinal
        case .failed: .failed
        case .unmatched: .unmatched
        case .credit: .credited
        case .balanceCeiling: .balanceCeiling
        }
    }

    /// The state the deposit ends in (nil: unchanged).
    var finalState: DepositState? {
        switch self {
        case .alreadyFinal: nil
        case .failed, .balanceCeiling: .failed
        case .unmatched: .unmatched
        case .credit: .credited
        }
    }

    /// The user the deposit is settled to (stored in `transactions.user_id`), if any.
    var settledUser: UUID? {
        switch self {
        case .credit(let user, _), .balanceCeiling(let user, _, _): user
        case .alreadyFinal, .failed, .unmatched: nil
        }
    }

    /// Why a deposit ended without a credit, stored in `transactions.failure_reason`
    /// (nil: credited, unmatched or untouched).
    var failureReason: String? {
        switch self {
        case .failed: "chain_failed: the chain reported the transfer failed"
        case .balanceCeiling(_, let amount, let balance):
            "\(Self.balanceCeilingReason): crediting \(amount) to deposit_balance \(balance) would exceed \(Amount.maximum)"
        case .alreadyFinal, .unmatched, .credit: nil
        }
    }

    /// The prefix of ``failureReason`` for a deposit refused at the balance ceiling, which
    /// `cricalgo verify` counts.
    static let balanceCeilingReason = "balance_ceiling"

    /// The audit row's `action`.
    var auditAction: String? {
        switch self {
        case .balanceCeiling: Self.balanceCeilingReason
        default: self.finalState?.rawValue
        }
    }

    /// The audit row written with the final state (nil: nothing settled).
    var audit: AuditEntry? {
        guard let action = self.auditAction else { return nil }
        return AuditEntry(actor: Self.auditActor, action: action, detail: self.auditDetail)
    }

    /// Who settles: the `actor` of every settlement's audit row.
    static let auditActor = "worker"

    var auditDetail: String {
        switch self {
        case .alreadyFinal: "already final"
        case .failed: "chain reported failure"
        case .unmatched: "no such user"
        case .credit(_, let amount): "credited \(amount)"
        case .balanceCeiling: self.failureReason ?? ""
        }
    }
}
