/// One stored row of a transfer stored under several tx_hash spellings, as both stores'
/// `verify()` read them (ordered by chain, canonical hash, log index, then creation).
struct TxHashCollisionRow: Sendable {
    var txID: String
    var chain: String
    var logIndex: Int64
    var txHash: String
    var canonicalTxHash: String
    var state: String
}

extension InvariantViolation {
    /// One ``Kind/txHashCollision`` per group of consecutive rows sharing
    /// `(chain, canonical tx_hash, log_index)`, naming every tx_id with its state and spelling.
    static func txHashCollisions(_ rows: [TxHashCollisionRow]) -> [InvariantViolation] {
        var violations: [InvariantViolation] = []
        var start = rows.startIndex
        while start < rows.endIndex {
            let first = rows[start]
            var end = start + 1
            while end < rows.endIndex, rows[end].chain == first.chain, rows[end].canonicalTxHash == first.canonicalTxHash,
                  rows[end].logIndex == first.logIndex {
                end += 1
            }
            let group = rows[start..<end]
            let members = group.map { "\($0.txID) (\($0.state), tx_hash \($0.txHash))" }.joined(separator: ", ")
            violations.append(InvariantViolation(
                kind: .txHashCollision,
                subject: group.map(\.txID).joined(separator: ","),
                detail: "\(group.count) rows are one transfer (chain \(first.chain), tx_hash \(first.canonicalTxHash), "
                    + "log_index \(first.logIndex)): \(members); keep one, see the runbook"
            ))
            start = end
        }
        return violations
    }
}
