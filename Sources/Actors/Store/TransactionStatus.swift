import Foundation

public struct TransactionStatus: Sendable, Hashable {
    public var txID: UUID
    public var txHash: String
    public var chain: String
    public var logIndex: Int64
    public var state: DepositState
    public var confirmations: Int64
    public var amount: Amount
    public var currency: String
    public var userID: UUID?
    public var processedAt: Date?
    /// Why a `failed` deposit was not credited (`chain_failed: …`, `balance_ceiling: …`).
    public var failureReason: String?

    public init(
        txID: UUID, txHash: String, chain: String, logIndex: Int64, state: DepositState, confirmations: Int64,
        amount: Amount, currency: String, userID: UUID?, processedAt: Date?, failureReason: String? = nil
    ) {
        self.txID = txID
        self.txHash = txHash
        self.chain = chain
        self.logIndex = logIndex
        self.state = state
        self.confirmations = confirmations
        self.amount = amount
        self.currency = currency
        self.userID = userID
        self.processedAt = processedAt
        self.failureReason = failureReason
    }
}
