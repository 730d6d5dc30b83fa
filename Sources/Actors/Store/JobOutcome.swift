public enum JobOutcome: String, Sendable, Hashable {
    case credited
    case unmatched
    case failed
    /// Crediting it would have taken the wallet past ``Amount/maximum``: settled as
    /// ``DepositState/failed`` with `failure_reason` `balance_ceiling: …`, nothing credited.
    case balanceCeiling = "balance_ceiling"
    /// The deposit was already final; the job was removed.
    case alreadyFinal = "already_final"
    /// Another worker holds the job now; nothing was written.
    case leaseLost = "lease_lost"
}
