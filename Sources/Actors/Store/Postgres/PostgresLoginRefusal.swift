import PostgresNIO

/// PostgreSQL's refusal of a new session: a wrong password or an unknown role
/// (SQLSTATE 28P01, 28000) or a database that does not exist (3D000). Retrying cannot
/// help; the configuration must change.
public struct PostgresLoginRefusal: Sendable, CustomStringConvertible {
    public let sqlState: String
    public let username: String
    public let database: String?

    /// The refusal behind `error` (looking through ``ServiceError/underlying``), or nil
    /// when `error` is not one.
    public init?(_ error: any Error, address: DatabaseLocation.PostgresAddress) {
        var current: (any Error)? = error
        while let candidate = current {
            if let error = candidate as? PSQLError {
                guard let state = error.serverInfo?[.sqlState], ["28P01", "28000", "3D000"].contains(state) else { return nil }
                self.sqlState = state
                self.username = address.username
                self.database = address.database
                return
            }
            current = (candidate as? ServiceError)?.underlying
        }
        return nil
    }

    /// Log-safe: names the user and database, never the password.
    public var description: String {
        switch self.sqlState {
        case "3D000":
            "PostgreSQL refused the login for user \"\(self.username)\": database \"\(self.database ?? self.username)\" does not exist "
                + "(SQLSTATE 3D000; check DATABASE_URL)"
        default:
            "PostgreSQL refused the login for user \"\(self.username)\" (SQLSTATE \(self.sqlState): wrong password or no such role; "
                + "check DATABASE_URL)"
        }
    }
}
