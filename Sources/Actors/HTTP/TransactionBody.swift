import Foundation

/// The body of `GET /api/v1/transactions/{tx_id}`: every key always present (`null` when unset).
struct TransactionBody: Encodable {
    var tx_id: String
    var tx_hash: String
    var chain: String
    var log_index: Int64
    var status: String
    var confirmations: Int64
    var amount: String
    var currency: String
    var user_id: String?
    var processed_at: String?
    var failure_reason: String?

    init(_ status: TransactionStatus) {
        self.tx_id = status.txID.apiString
        self.tx_hash = status.txHash
        self.chain = status.chain
        self.log_index = status.logIndex
        self.status = status.state.rawValue
        self.confirmations = status.confirmations
        self.amount = status.amount.description
        self.currency = status.currency
        self.user_id = status.userID?.apiString
        self.processed_at = status.processedAt.map { $0.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) }
        self.failure_reason = status.failureReason
    }

    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case tx_id, tx_hash, chain, log_index, status, confirmations, amount, currency, user_id, processed_at, failure_reason }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(self.tx_id, forKey: .tx_id)
        try container.encode(self.tx_hash, forKey: .tx_hash)
        try container.encode(self.chain, forKey: .chain)
        try container.encode(self.log_index, forKey: .log_index)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.confirmations, forKey: .confirmations)
        try container.encode(self.amount, forKey: .amount)
        try container.encode(self.currency, forKey: .currency)
        // null, not absent: the contract lists both keys.
        try container.encode(self.user_id, forKey: .user_id)
        try container.encode(self.processed_at, forKey: .processed_at)
        try container.encode(self.failure_reason, forKey: .failure_reason)
    }
}
