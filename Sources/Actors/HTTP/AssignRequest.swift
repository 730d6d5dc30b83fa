import Foundation

/// The body of `POST /api/v1/admin/transactions/{tx_id}/assign`: `{"user_id": "<uuid>"}`.
public struct AssignRequest: Sendable, Equatable {
    public var userID: UUID

    public init(userID: UUID) {
        self.userID = userID
    }

    public init(jsonBody: [UInt8]) throws(ServiceError) {
        let body = try AdminRequestBody.object(jsonBody)
        guard let value = body["user_id"], value != .null else {
            throw ServiceError.malformed("missing required field: user_id")
        }
        guard case .string(let text) = value, let userID = UUID(uuidString: text) else {
            throw ServiceError.invalid("user_id must be a UUID")
        }
        self.userID = userID
    }
}
