import Foundation
import PostgresNIO

/// Which of the candidate users exist.
struct KnownUsersStatement: PostgresPreparedStatement {
    typealias Row = UUID

    static let name = "cricalgo_known_users"

    static let sql = "SELECT id FROM users WHERE id = ANY($1::uuid[])"

    var candidates: [UUID]

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: 1)
        binds.append(self.candidates)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(UUID.self)
    }
}
