import Foundation
import PostgresNIO

/// Settlement's first statement: locks the claimed jobs whose lease is still the claim's
/// (another worker may hold a job whose lease ran out), in id order. `j.tx_id = ANY($1)`
/// keeps the primary-key lookup in the generic plan (``SettlementWriteStatement``).
struct HeldJobsStatement: PostgresPreparedStatement {
    typealias Row = UUID

    static let name = "cricalgo_held_jobs"

    static let sql = """
        SELECT j.tx_id FROM deposit_jobs j
        JOIN unnest($1::uuid[], $2::uuid[]) AS c(tx_id, token)
          ON c.tx_id = j.tx_id AND c.token = j.lease_token
        WHERE j.tx_id = ANY($1::uuid[])
        ORDER BY j.tx_id
        FOR UPDATE OF j
        """

    var jobs: [ClaimedJob]

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 2)
        binds.append(self.jobs.map(\.txID))
        binds.append(self.jobs.map(\.leaseToken))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(UUID.self)
    }
}
