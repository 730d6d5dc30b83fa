import Foundation
import PostgresNIO

/// A settlement plan's ledger entries, final states, audit rows and the deletion of the
/// held jobs, in one statement. The rows it updates are already locked; the rows it inserts
/// are new.
///
/// The server plans a prepared statement once for any parameters (a generic plan), from the
/// table sizes of that moment. Joined only to `unnest(…)`, `transactions` was read by a
/// sequential scan in a plan made while the table was small, a cost that grows with the
/// table; `t.id = ANY($5)` gives the plan its primary-key lookup whatever the sizes.
struct SettlementWriteStatement: PostgresPreparedStatement {
    typealias Row = Void

    static let name = "cricalgo_settlement_write"

    static let sql = """
        WITH ledger AS (
            INSERT INTO ledger_entries (tx_id, user_id, amount, created_at)
            SELECT t, u, a::numeric, $1::timestamptz
            FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS x(t, u, a)
        ), settled AS (
            UPDATE transactions t SET state = x.s, user_id = COALESCE(NULLIF(x.u, '')::uuid, t.user_id),
                failure_reason = NULLIF(x.r, ''), processed_at = $1::timestamptz, updated_at = $1::timestamptz
            FROM unnest($5::uuid[], $6::text[], $7::text[], $8::text[]) AS x(id, s, u, r)
            WHERE t.id = x.id AND t.id = ANY($5::uuid[])
        ), audit AS (
            INSERT INTO audit_logs (tx_id, actor, action, detail, created_at)
            SELECT id, \(PostgresStore.settlementActor), a, d, $1::timestamptz
            FROM unnest($5::uuid[], $9::text[], $10::text[]) AS x(id, a, d)
        )
        DELETE FROM deposit_jobs WHERE tx_id = ANY($11::uuid[])
        """

    var plan: SettlementPlan
    var held: [UUID]
    var now: Date

    func makeBindings() throws -> PostgresBindings {
        let credits = self.plan.credits
        let settled = self.plan.settled
        var binds = PostgresBindings(capacity: 11)
        binds.append(self.now)
        binds.append(credits.map(\.txID))
        binds.append(credits.map(\.user))
        binds.append(credits.map(\.amount.description))
        binds.append(settled.map(\.txID))
        binds.append(settled.map(\.state.rawValue))
        binds.append(settled.map { $0.user?.uuidString ?? "" })
        binds.append(settled.map { $0.failureReason ?? "" })
        binds.append(settled.map(\.audit.action))
        binds.append(settled.map(\.audit.detail))
        binds.append(self.held)
        return binds
    }

    /// The statement returns no rows.
    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
