extension InvariantCatalogue {
    /// The rows of transfers stored under several tx_hash spellings, as
    /// ``TxHashCollisionRow``s want them: `(id, chain, log_index, tx_hash, canonical, state)`,
    /// grouped by ``InvariantViolation/txHashCollisions(_:)``. Only hashes of the hex form
    /// (`0x` + 64 hex digits, prefix optional) have a canonical spelling
    /// (``TransferIdentity/canonicalTxHash(_:)``); any other tx_hash is stored as received.
    static func collisionQuery(in dialect: SQLDialect) -> String {
        """
        SELECT \(dialect.text("id")) AS id, chain, log_index, tx_hash, canonical, state FROM (
            SELECT id, chain, log_index, tx_hash, state, created_at, canonical,
                   count(*) OVER (PARTITION BY chain, canonical, log_index) AS spellings
            FROM (SELECT *, \(Self.canonicalTxHash("tx_hash", in: dialect)) AS canonical FROM transactions
                  WHERE \(Self.isHexTxHash("tx_hash", in: dialect))) hex
        ) c
        WHERE spellings > 1
        ORDER BY chain, canonical, log_index, created_at, id
        """
    }

    /// The canonical spelling of a hex tx_hash: `0x` and its last 64 characters in lower case.
    private static func canonicalTxHash(_ column: String, in dialect: SQLDialect) -> String {
        switch dialect {
        case .postgres: "'0x' || lower(right(\(column), 64))"
        case .sqlite: "'0x' || lower(substr(\(column), -64))"
        }
    }

    /// Whether a tx_hash is 64 hex digits, with or without a `0x`/`0X` prefix.
    private static func isHexTxHash(_ column: String, in dialect: SQLDialect) -> String {
        switch dialect {
        case .postgres:
            "\(column) ~ '^(0[xX])?[0-9a-fA-F]{64}$'"
        case .sqlite:
            """
            (length(CAST(\(column) AS BLOB)) = 64 AND \(column) NOT GLOB '*[^0-9a-fA-F]*')
                     OR (length(CAST(\(column) AS BLOB)) = 66 AND substr(\(column), 1, 2) IN ('0x', '0X')
                         AND substr(\(column), 3) NOT GLOB '*[^0-9a-fA-F]*')
            """
        }
    }
}
