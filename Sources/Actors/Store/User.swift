import Foundation

public struct User: Sendable, Hashable {
    public var id: UUID
    public var username: String
    public var telegramID: Int64?

    public init(id: UUID, username: String, telegramID: Int64?) {
        self.id = id
        self.username = username
        self.telegramID = telegramID
    }
}
