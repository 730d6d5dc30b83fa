extension DepositRecord.Key {
    /// The order in which ingest and workers lock deposit rows: chain, then tx_hash, each
    /// compared byte by byte in UTF-8 (as PostgreSQL's `COLLATE "C"` compares them), then
    /// log_index. `<` on `Key` compares Swift strings (Unicode order), which is not what the
    /// database's `ORDER BY … COLLATE "C"` does for every string, so lock order uses this.
    public func precedesInByteOrder(_ other: DepositRecord.Key) -> Bool {
        switch Self.compareBytes(self.chain, other.chain) {
        case .some(let less): return less
        case .none: break
        }
        switch Self.compareBytes(self.txHash, other.txHash) {
        case .some(let less): return less
        case .none: break
        }
        return self.logIndex < other.logIndex
    }

    /// Whether `a` sorts before `b` byte-wise; nil when they are equal.
    private static func compareBytes(_ a: String, _ b: String) -> Bool? {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return nil
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): if x != y { return x < y }
            }
        }
    }
}
