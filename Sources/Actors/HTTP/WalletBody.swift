/// The body of `GET /api/v1/admin/users/{id}/wallet`: the three balances as decimal strings.
struct WalletBody: Encodable {
    var user_id: String
    var deposit_balance: String
    var winning_balance: String
    var bonus_balance: String

    init(_ wallet: Wallet) {
        self.user_id = wallet.userID.apiString
        self.deposit_balance = wallet.depositBalance.description
        self.winning_balance = wallet.winningBalance.description
        self.bonus_balance = wallet.bonusBalance.description
    }
}
