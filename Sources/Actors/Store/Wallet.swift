import Foundation

public struct Wallet: Sendable, Hashable {
    public var userID: UUID
    public var depositBalance: Amount
    public var winningBalance: Amount
    public var bonusBalance: Amount

    public init(userID: UUID, depositBalance: Amount, winningBalance: Amount, bonusBalance: Amount) {
        self.userID = userID
        self.depositBalance = depositBalance
        self.winningBalance = winningBalance
        self.bonusBalance = bonusBalance
    }
}
