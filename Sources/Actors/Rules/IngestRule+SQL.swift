extension IngestRule {
    /// The `ON CONFLICT … DO UPDATE SET … WHERE …` tail of the ingest upsert into
    /// `transactions AS t`: ``decide(existing:incoming:threshold:)`` for a repeat, in SQL.
    /// The WHERE refuses a repeat that disagrees on a ``Term`` (the row is then not returned:
    /// a conflict). `threshold` is the SQL expression of the confirmation threshold.
    static func onConflictSQL(threshold: String, in dialect: SQLDialect) -> String {
        let new = dialect.excluded
        let open = SQLDialect.literal(Self.openState.rawValue)
        let confirmations = dialect.greatest("t.confirmations", "\(new).confirmations")
        let status = "CASE WHEN \(new).chain_status IN \(DepositReadiness.newsStatusesSQL) THEN \(new).chain_status ELSE t.chain_status END"
        let ready = DepositReadiness.sql(status: status, confirmations: confirmations, threshold: threshold)
        let agrees = Term.allCases.map { term in
            term.isNullable
                ? dialect.isNotDistinct("t.\(term.column)", "\(new).\(term.column)")
                : "t.\(term.column) = \(new).\(term.column)"
        }
        return """
            ON CONFLICT (chain, tx_hash, log_index) DO UPDATE SET
                confirmations = \(confirmations),
                chain_status = CASE WHEN t.state = \(open) THEN \(status) ELSE t.chain_status END,
                state = CASE WHEN t.state = \(open) AND \(ready) THEN \(SQLDialect.literal(DepositState.queued.rawValue)) ELSE t.state END,
                updated_at = \(new).updated_at
            WHERE \(agrees.joined(separator: " AND "))
            """
    }
}
