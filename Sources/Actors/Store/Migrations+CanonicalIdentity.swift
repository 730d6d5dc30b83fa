/// Version 2: stored transfer keys and user references in their canonical spelling
/// (``TransferIdentity``), so a transfer stored before ingest normalised them and sent
/// again afterwards finds its row instead of getting a second tx_id.
///
/// - A UUID-shaped `user_ref` becomes lower case.
/// - A 64-digit hex `tx_hash` (with or without `0x`/`0X`, any case) becomes `0x` + lower
///   case, but only when no other row has the same `(chain, canonical hash, log_index)`:
///   such rows are one transfer stored more than once, left as they are for an operator
///   (`cricalgo verify` reports them as `tx_hash_collision`; docs/RUNBOOK.md).
///
/// Every row changed gets an audit row (actor `migration`) keeping the old spelling.
extension Migrations {
    static let postgresCanonicalIdentity = Migration(version: 2, name: "canonical_identity", statements: [
        """
        WITH changed AS (
            UPDATE transactions t SET user_ref = lower(t.user_ref), updated_at = now()
            FROM transactions o
            WHERE o.id = t.id
              AND t.user_ref ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
              AND t.user_ref <> lower(t.user_ref)
            RETURNING t.id, o.user_ref AS original
        )
        INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
        SELECT id, 'migration', 'canonicalise_user_ref', 'user_ref was ' || original, now() FROM changed
        """,
        """
        WITH candidates AS (
            SELECT id, tx_hash, canonical, count(*) OVER (PARTITION BY chain, canonical, log_index) AS spellings
            FROM (SELECT id, chain, log_index, tx_hash, '0x' || lower(right(tx_hash, 64)) AS canonical
                  FROM transactions WHERE tx_hash ~ '^(0[xX])?[0-9a-fA-F]{64}$') hex
        ), changed AS (
            UPDATE transactions t SET tx_hash = c.canonical, updated_at = now()
            FROM candidates c
            WHERE t.id = c.id AND c.spellings = 1 AND c.tx_hash <> c.canonical
            RETURNING t.id, c.tx_hash AS original
        )
        INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
        SELECT id, 'migration', 'canonicalise_tx_hash', 'tx_hash was ' || original, now() FROM changed
        """,
    ])

    /// SQLite has no regular expressions: shapes are checked with GLOB on the byte length
    /// (`CAST(… AS BLOB)`, which a NUL cannot shorten). Audit rows are written before the
    /// rows change, from the same condition.
    static let sqliteCanonicalIdentity: Migration = {
        let hex = "[0-9a-fA-F]"
        let uuidShape = [8, 4, 4, 4, 12].map { String(repeating: hex, count: $0) }.joined(separator: "-")
        let now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
        let userRefToChange = """
            length(CAST(user_ref AS BLOB)) = 36 AND user_ref GLOB '\(uuidShape)' AND user_ref <> lower(user_ref)
            """
        let hexTxHash = """
            ((length(CAST(tx_hash AS BLOB)) = 64 AND tx_hash NOT GLOB '*[^0-9a-fA-F]*')
             OR (length(CAST(tx_hash AS BLOB)) = 66 AND substr(tx_hash, 1, 2) IN ('0x', '0X')
                 AND substr(tx_hash, 3) NOT GLOB '*[^0-9a-fA-F]*'))
            """
        let alone = """
            WITH candidates AS (
                SELECT id, tx_hash, canonical, count(*) OVER (PARTITION BY chain, canonical, log_index) AS spellings
                FROM (SELECT id, chain, log_index, tx_hash, '0x' || lower(substr(tx_hash, -64)) AS canonical
                      FROM transactions WHERE \(hexTxHash))
            ), alone AS (
                SELECT id, tx_hash, canonical FROM candidates WHERE spellings = 1 AND tx_hash <> canonical
            )
            """
        return Migration(version: 2, name: "canonical_identity", statements: [
            """
            INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
            SELECT id, 'migration', 'canonicalise_user_ref', 'user_ref was ' || user_ref, \(now)
            FROM transactions WHERE \(userRefToChange)
            """,
            "UPDATE transactions SET user_ref = lower(user_ref), updated_at = \(now) WHERE \(userRefToChange)",
            """
            \(alone)
            INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
            SELECT id, 'migration', 'canonicalise_tx_hash', 'tx_hash was ' || tx_hash, \(now) FROM alone
            """,
            """
            \(alone)
            UPDATE transactions SET tx_hash = (SELECT canonical FROM alone WHERE alone.id = transactions.id), updated_at = \(now)
            WHERE id IN (SELECT id FROM alone)
            """,
        ])
    }()
}
