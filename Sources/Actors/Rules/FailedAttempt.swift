/// What a worker's failed attempt does to its job (docs/API.md "Deposit lifecycle"): the
/// job is retried later, until `maxAttempts` failures park the deposit as `dead`
/// (`queued → dead`) for an operator to requeue.
enum FailedAttempt: Sendable, Hashable {
    /// The job stays, due again after the retry delay.
    case retry
    /// The job is removed and the deposit parked, with this audit row.
    case dead(AuditEntry)

    /// - Parameter attempts: failures counted so far, this one included.
    static func decide(attempts: Int, maxAttempts: Int, reason: String) -> FailedAttempt {
        guard attempts >= maxAttempts else { return .retry }
        return .dead(AuditEntry(actor: "worker", action: DepositState.dead.rawValue, detail: "gave up after \(attempts) attempts: \(reason)"))
    }

    /// The deposit's state after the attempt.
    var state: DepositState {
        switch self {
        case .retry: .queued
        case .dead: .dead
        }
    }
}
