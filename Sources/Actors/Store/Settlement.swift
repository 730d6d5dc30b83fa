import Foundation

/// What a worker does with one deposit it holds the lease for — the same rules on both
/// stores, decided without I/O.
enum Settlement: Equatable {
    /// Someone settled it already; only the job goes.
    case alreadyFinal
    /// The chain reported the transfer failed: no credit.
    case failed
    /// No known user: parked for an operator to assign.
    case unmatched
    /// Credit `amount` to `user`.
    case credit(user: UUID, amount: Amount)

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

    var outcome: JobOutcome {
        switch self {
        case .alreadyFinal: .alreadyFinal
        case .failed: .failed
        case .unmatched: .unmatched
        case .credit: .credited
        }
    }

    /// The state the deposit ends in (nil: unchanged).
    var finalState: DepositState? {
        switch self {
        case .alreadyFinal: nil
        case .failed: .failed
        case .unmatched: .unmatched
        case .credit: .credited
        }
    }

    var auditDetail: String {
        switch self {
        case .alreadyFinal: "already final"
        case .failed: "chain reported failure"
        case .unmatched: "no such user"
        case .credit(_, let amount): "credited \(amount)"
        }
    }
}
