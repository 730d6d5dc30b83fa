/// The states of a deposit (docs/API.md "Deposit lifecycle"); the rules that move them live
/// in `Sources/Actors/Rules`. Legal transitions:
/// `pending → queued` (ready), `queued → credited | unmatched | failed | dead` (a worker),
/// `unmatched → queued` (assign), `dead → queued` (requeue). A `failed` deposit carries its
/// reason in `transactions.failure_reason`: the chain reported the transfer failed
/// (`chain_failed`), or crediting it would have passed the largest balance a wallet can
/// hold (`balance_ceiling`).
public enum DepositState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    case queued
    case credited
    case unmatched
    case failed
    case dead

    /// Whether no worker will touch the deposit again on its own.
    public var isFinal: Bool {
        switch self {
        case .pending, .queued: false
        case .credited, .unmatched, .failed, .dead: true
        }
    }
}
