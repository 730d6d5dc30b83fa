/// What the chain reported about a transfer.
public enum ChainStatus: String, Sendable, Hashable, CaseIterable {
    case confirmed
    case pending
    case failed
}
