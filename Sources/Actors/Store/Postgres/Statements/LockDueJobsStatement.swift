import Foundation
import PostgresNIO

/// The claim of ``PostgresStore/claimAndSettle(owner:limit:claimed:)``: locks up to `limit`
/// due jobs whose lease is free, oldest due first, skipping rows other transactions hold. It
/// writes nothing: the row locks last until the settlement commits in the same transaction.
struct LockDueJobsStatement: PostgresPreparedStatement {
    typealias Row = (UUID, Int)

    static let name = "cricalgo_lock_due_jobs"

    static let sql = """
        SELECT tx_id, attempts FROM deposit_jobs
        WHERE \(PostgresStore.claimable)
        ORDER BY run_at
        LIMIT $1::int8
        FOR UPDATE SKIP LOCKED
        """

    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        binds.append(Int64(max(1, self.limit)))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
