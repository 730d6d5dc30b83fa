/// One validated webhook: a token transfer to record.
///
/// `(chain, txHash, logIndex)` identifies the transfer. A repeat must agree with the stored
/// transfer on amount, currency and user, or it is a conflict (``conflict(with:)``); its
/// confirmations and status may move on.
public struct DepositRecord: Sendable, Hashable {
    public var chain: String
    public var txHash: String
    /// Which transfer of the chain transaction this is (one transaction can carry several).
    public var logIndex: Int64
    public var amount: Amount
    public var currency: String
    public var confirmations: Int64
    public var chainStatus: ChainStatus
    public var toAddress: String?
    public var blockNumber: Int64?
    /// The user as the sender named it (`user_id`, else `metadata.user_id`), resolved later.
    public var userRef: String?
    /// The `metadata` object's JSON text exactly as received.
    public var metadata: String?

    public init(
        chain: String = "bep20",
        txHash: String,
        logIndex: Int64 = 0,
        amount: Amount,
        currency: String = "USDT",
        confirmations: Int64 = 0,
        chainStatus: ChainStatus = .confirmed,
        toAddress: String? = nil,
        blockNumber: Int64? = nil,
        userRef: String? = nil,
        metadata: String? = nil
    ) {
        self.chain = chain
        self.txHash = txHash
        self.logIndex = logIndex
        self.amount = amount
        self.currency = currency
        self.confirmations = confirmations
        self.chainStatus = chainStatus
        self.toAddress = toAddress
        self.blockNumber = blockNumber
        self.userRef = userRef
        self.metadata = metadata
    }

    /// The identity of the transfer.
    public var key: Key { Key(chain: self.chain, txHash: self.txHash, logIndex: self.logIndex) }

    public struct Key: Sendable, Hashable, Comparable {
        public var chain: String
        public var txHash: String
        public var logIndex: Int64

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.chain, lhs.txHash, lhs.logIndex) < (rhs.chain, rhs.txHash, rhs.logIndex)
        }
    }

    /// Whether the chain data has reached the point where the deposit can be settled:
    /// confirmed with enough confirmations (credit), or failed (no credit); ``DepositReadiness``.
    public func isReady(threshold: Int64) -> Bool {
        DepositReadiness.isReady(status: self.chainStatus, confirmations: self.confirmations, threshold: threshold)
    }

    /// Whether a repeat of this transfer contradicts it (amount, currency or user differ):
    /// ``IngestRule``'s conflict rule, the one the stores' upserts run.
    public func conflict(with other: DepositRecord) -> String? {
        IngestRule.conflict(IngestRule.Terms(self), IngestRule.Terms(other))
    }
}
