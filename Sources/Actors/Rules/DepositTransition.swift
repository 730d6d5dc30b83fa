import Foundation

/// The operator's transitions of a parked deposit (docs/API.md "Deposit lifecycle"):
/// `unmatched → queued` (assign a user) and `dead → queued` (requeue). Each requeues the
/// deposit with a fresh job (attempts back to zero) and writes one audit row.
///
/// The messages are what the admin routes answer with; ``check(_:)`` is the whole decision,
/// the stores only lock the row and apply it.
enum DepositTransition: Sendable, Hashable {
    case assign(user: UUID)
    case requeue

    /// The one state the transition may start from.
    var from: DepositState {
        switch self {
        case .assign: .unmatched
        case .requeue: .dead
        }
    }

    /// The state it ends in.
    var to: DepositState { .queued }

    /// Refuses the transition unless the deposit exists and is in ``from``: 404 for an
    /// unknown tx_id, 409 naming the state it is in.
    func check(_ state: DepositState?) throws(ServiceError) {
        guard let state else { throw ServiceError(.notFound, Self.unknownDeposit) }
        guard state == self.from else { throw ServiceError(.conflict, self.refusal(state)) }
    }

    func refusal(_ state: DepositState) -> String {
        switch self {
        case .assign: "only an unmatched deposit can be assigned; this one is \(state.rawValue)"
        case .requeue: "only a dead deposit can be requeued; this one is \(state.rawValue)"
        }
    }

    /// The 404 message for a tx_id that names no deposit.
    static let unknownDeposit = "no transaction with this tx_id"

    /// The 404 message when ``assign(user:)`` names no user.
    static let unknownUser = "user_id names no user"

    var audit: AuditEntry {
        switch self {
        case .assign(let user): AuditEntry(actor: "admin", action: "assign", detail: "assigned to \(user.uuidString.lowercased())")
        case .requeue: AuditEntry(actor: "admin", action: "requeue", detail: "queued again")
        }
    }
}
