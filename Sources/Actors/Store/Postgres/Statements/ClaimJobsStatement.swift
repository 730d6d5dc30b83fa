import Foundation
import PostgresNIO

/// The claim: up to `limit` due jobs whose lease is free, oldest due first, leased to
/// `owner` with a new token for `lease` on the database's clock. Prepared once per
/// connection, like every statement a worker runs for each batch.
struct ClaimJobsStatement: PostgresPreparedStatement {
    typealias Row = (UUID, Int)

    static let name = "cricalgo_claim_jobs"

    static let sql = """
        UPDATE deposit_jobs SET locked_by = $1::text, locked_until = now() + make_interval(secs => $2::float8),
            lease_token = $3::uuid
        WHERE tx_id IN (
            SELECT tx_id FROM deposit_jobs
            WHERE \(PostgresStore.claimable)
            ORDER BY run_at
            LIMIT $4::int8
            FOR UPDATE SKIP LOCKED
        )
        RETURNING tx_id, attempts
        """

    var owner: String
    var lease: Duration
    var token: UUID
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 4)
        binds.append(self.owner)
        binds.append(self.lease.seconds)
        binds.append(self.token)
        binds.append(Int64(max(1, self.limit)))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
