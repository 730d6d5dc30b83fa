import Foundation
import PostgresNIO

/// Locks and reads the deposits of the held jobs, in transfer-key byte order (the order
/// ingest writes them in, so the two cannot deadlock).
struct SettlementRowsStatement: PostgresPreparedStatement {
    typealias Row = (UUID, String, String, String, String?, UUID?)

    static let name = "cricalgo_settlement_rows"

    static let sql = """
        SELECT id, state, chain_status, amount::text, user_ref, user_id FROM transactions
        WHERE id = ANY($1::uuid[])
        ORDER BY chain COLLATE "C", tx_hash COLLATE "C", log_index
        FOR UPDATE
        """

    var ids: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        binds.append(self.ids)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
