import Foundation
import PostgresNIO

/// The PostgreSQL ingest upsert as a prepared statement: one text whatever the batch's
/// size, the records bound as one array per column and turned back into rows by
/// `unnest(…) WITH ORDINALITY`, so the server parses and plans it once per connection.
///
/// `$1` is the store's time for `created_at`/`updated_at`, `$2` the confirmation threshold
/// (``IngestRule/onConflictSQL(threshold:in:)`` reads it), `$3…$15` the columns, `$16` the
/// store's ``PostgresStore/notificationSender``. Rows are inserted in the order given (the
/// caller sorts them by key). Each returned row is a deposit the upsert wrote (a first
/// sighting, or a repeat that agreed) with whether this statement queued its job; a refused
/// repeat returns nothing.
///
/// When it queued jobs, the same statement sends `NOTIFY cricalgo_deposit_jobs` with the
/// payload "<jobs queued> <sender>" (``JobNotification``), delivered at commit: no round trip
/// of its own.
struct IngestStatement: PostgresPreparedStatement {
    typealias Row = (UUID, String, String, Int64, Bool)

    static let name = "cricalgo_ingest"

    static let sql = """
        WITH incoming AS (
            SELECT * FROM unnest($3::uuid[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[], $9::int8[],
                                 $10::text[], $11::text[], $12::int8[], $13::text[], $14::text[], $15::text[])
                WITH ORDINALITY AS r(id, chain, tx_hash, log_index, amount, currency, confirmations, chain_status,
                                     to_address, block_number, user_ref, metadata, state, position)
        ), upsert AS (
            INSERT INTO transactions AS t (id, chain, tx_hash, log_index, amount, currency, confirmations, chain_status,
                                           to_address, block_number, user_ref, metadata, state, created_at, updated_at)
            SELECT id, chain, tx_hash, log_index, amount::numeric, currency, confirmations, chain_status,
                   to_address, block_number, user_ref, metadata::json, state, $1::timestamptz, $1::timestamptz
            FROM incoming ORDER BY position
            \(IngestRule.onConflictSQL(threshold: "$2", in: .postgres))
            RETURNING t.id, t.chain, t.tx_hash, t.log_index, t.state
        ), jobs AS (
            INSERT INTO deposit_jobs (tx_id, run_at, created_at)
            SELECT id, now(), now() FROM upsert WHERE state = 'queued'
            ON CONFLICT (tx_id) DO NOTHING
            RETURNING tx_id
        ), notified AS (
            SELECT pg_notify('\(PostgresStore.jobsChannel)', count(*)::text || ' ' || $16::text) FROM jobs HAVING count(*) > 0
        )
        SELECT u.id, u.chain, u.tx_hash, u.log_index, j.tx_id IS NOT NULL
        FROM upsert u LEFT JOIN jobs j ON j.tx_id = u.id LEFT JOIN notified ON true
        """

    var now: Date
    var threshold: Int64
    /// The records in the order to insert them, each with the id it gets if it is new.
    var rows: [(record: DepositRecord, id: UUID)]
    /// Names this store in the notification, so its own process can tell it apart.
    var sender: String

    func makeBindings() throws -> PostgresBindings {
        let records = self.rows.map(\.record)
        var binds = PostgresBindings(capacity: 16)
        binds.append(self.now)
        binds.append(self.threshold)
        binds.append(self.rows.map(\.id))
        binds.append(records.map(\.chain))
        binds.append(records.map(\.txHash))
        binds.append(records.map(\.logIndex))
        binds.append(records.map(\.amount.description))
        binds.append(records.map(\.currency))
        binds.append(records.map(\.confirmations))
        binds.append(records.map(\.chainStatus.rawValue))
        binds.append(PostgresNullableArray(records.map(\.toAddress)))
        binds.append(PostgresNullableArray(records.map(\.blockNumber)))
        binds.append(PostgresNullableArray(records.map(\.userRef)))
        binds.append(PostgresNullableArray(records.map(\.metadata)))
        binds.append(records.map { IngestRule.initialState(of: $0, threshold: self.threshold).rawValue })
        binds.append(self.sender)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
