import Foundation
import PostgresNIO

/// Adds each wallet's sum of credits to its balance (creating the wallet if missing), in
/// user order, where the result stays within ``Amount/maximum``; returns the wallets it
/// credited, so a wallet missing from the answer had no room.
struct WalletCreditStatement: PostgresPreparedStatement {
    typealias Row = UUID

    static let name = "cricalgo_wallet_credit"

    static let sql = """
        INSERT INTO wallets (user_id, deposit_balance, updated_at)
        SELECT u, s::numeric, $1::timestamptz
        FROM unnest($2::uuid[], $3::text[]) AS x(u, s)
        ORDER BY u
        ON CONFLICT (user_id) DO UPDATE
            SET deposit_balance = wallets.deposit_balance + excluded.deposit_balance, updated_at = excluded.updated_at
            WHERE wallets.deposit_balance <= \(PostgresStore.balanceMaximum)::numeric - excluded.deposit_balance
        RETURNING user_id
        """

    var sums: [(user: UUID, sum: Amount)]
    var now: Date

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 3)
        binds.append(self.now)
        binds.append(self.sums.map(\.user))
        binds.append(self.sums.map(\.sum.description))
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(UUID.self)
    }
}
