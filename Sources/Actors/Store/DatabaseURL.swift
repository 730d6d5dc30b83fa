import Foundation

/// Where the store lives, from `DATABASE_URL`.
///
/// Unset → the embedded SQLite file. `postgres://`, `postgresql://` and
/// `postgresql+asyncpg://` (the previous deployment's spelling) → PostgreSQL.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresAddress)

    /// The default embedded database file.
    public static let defaultSQLitePath = "./data/cricalgo.sqlite"

    public struct PostgresAddress: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String?
        /// `sslmode`: disable (default), prefer or require.
        public var tls: TLSMode

        public enum TLSMode: String, Sendable, Equatable {
            case disable
            case prefer
            case require
        }
    }

    /// Parses a `DATABASE_URL` value; nil or empty means the embedded SQLite file.
    ///
    /// `sqlite:///path/to/file.sqlite` and `sqlite://:memory:`-style paths select SQLite explicitly.
    /// - Throws: ``ServiceError/Code/invalidField`` naming `DATABASE_URL` (without echoing it: it may hold a password).
    public init(url: String?) throws(ServiceError) {
        guard let url, !url.isEmpty else {
            self = .sqlite(path: DatabaseLocation.defaultSQLitePath)
            return
        }
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw .invalid("DATABASE_URL: a sqlite:// URL needs a file path") }
            self = .sqlite(path: path)
            return
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .invalid("DATABASE_URL must be a postgres:// or postgresql:// URL")
        }
        guard ["postgres", "postgresql", "postgresql+asyncpg"].contains(scheme) else {
            throw .invalid("DATABASE_URL scheme must be postgres, postgresql or postgresql+asyncpg")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        guard let host = components.host.flatMap({ $0.isEmpty ? nil : $0 }) ?? query["host"] else {
            throw .invalid("DATABASE_URL needs a host")
        }
        let tlsText = query["sslmode"] ?? query["ssl"] ?? "disable"
        let tls: PostgresAddress.TLSMode
        switch tlsText.lowercased() {
        case "disable", "false", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full", "true": tls = .require
        default: throw .invalid("DATABASE_URL sslmode must be disable, prefer or require")
        }
        let database = components.path.split(separator: "/").first.map(String.init)
        self = .postgres(PostgresAddress(
            host: host,
            port: components.port ?? 5432,
            username: components.user?.removingPercentEncoding ?? components.user ?? "postgres",
            password: components.password?.removingPercentEncoding ?? components.password,
            database: database?.removingPercentEncoding ?? database,
            tls: tls
        ))
    }

    /// Log-safe: never shows the password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let address): "postgres://\(address.username)@\(address.host):\(address.port)/\(address.database ?? "")"
        }
    }
}
