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
        /// How the server is reached.
        public enum Endpoint: Sendable, Equatable {
            /// A host name or IP literal (IPv6 without brackets) and a port.
            case tcp(host: String, port: Int)
            /// A Unix-domain socket file, `<dir>/.s.PGSQL.<port>` as libpq names it.
            case unixSocket(path: String)
        }

        public var endpoint: Endpoint
        public var username: String
        public var password: String?
        public var database: String?
        /// `sslmode`: disable (default), prefer or require. Not used over a Unix socket.
        public var tls: TLSMode

        public enum TLSMode: String, Sendable, Equatable {
            case disable
            case prefer
            case require
        }

        public init(endpoint: Endpoint, username: String, password: String?, database: String?, tls: TLSMode) {
            self.endpoint = endpoint
            self.username = username
            self.password = password
            self.database = database
            self.tls = tls
        }

        /// The TCP host, or the socket file's path.
        public var host: String {
            switch self.endpoint {
            case .tcp(let host, _): host
            case .unixSocket(let path): path
            }
        }

        /// The TCP port; 0 for a Unix socket.
        public var port: Int {
            switch self.endpoint {
            case .tcp(_, let port): port
            case .unixSocket: 0
            }
        }
    }

    /// Parses a `DATABASE_URL` value; nil or empty means the embedded SQLite file.
    ///
    /// The user, password and database name are percent-decoded exactly once. The host
    /// may be a name, an IPv4 literal or a bracketed IPv6 literal; a host that is an
    /// absolute directory (`?host=/var/run/postgresql`, or `%2F…` in place of the host)
    /// selects the Unix-domain socket `<dir>/.s.PGSQL.<port>`.
    /// `sqlite:///path/to/file.sqlite` selects SQLite explicitly.
    /// - Throws: ``ServiceError/Code/invalidField`` naming `DATABASE_URL` (without echoing it: it may hold a password).
    public init(url: String?) throws(ServiceError) {
        guard let url, !url.isEmpty else {
            self = .sqlite(path: DatabaseLocation.defaultSQLitePath)
            return
        }
        guard !Self.hasControlCharacters(url) else { throw .invalid("DATABASE_URL must not contain control characters") }
        if url.hasPrefix("sqlite://") {
            let path = String(url.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw .invalid("DATABASE_URL: a sqlite:// URL needs a file path") }
            guard path != ":memory:" else {
                throw .invalid("DATABASE_URL: sqlite://:memory: is refused: deposits would vanish at exit and each connection would see its own empty database; give a file path")
            }
            self = .sqlite(path: path)
            return
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .invalid("DATABASE_URL must be a postgres:// or postgresql:// URL")
        }
        guard ["postgres", "postgresql", "postgresql+asyncpg"].contains(scheme) else {
            throw .invalid("DATABASE_URL scheme must be postgres, postgresql or postgresql+asyncpg")
        }
        self = .postgres(try PostgresAddress(components))
    }

    /// Log-safe: never shows the password.
    public var description: String {
        switch self {
        case .sqlite(let path):
            "sqlite:\(path)"
        case .postgres(let address):
            switch address.endpoint {
            case .tcp(let host, let port):
                "postgres://\(address.username)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(address.database ?? "")"
            case .unixSocket(let path):
                "postgres://\(address.username)@unix:\(path)/\(address.database ?? "")"
            }
        }
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

extension DatabaseLocation.PostgresAddress {
    /// From a parsed `postgres://` URL; every component is read percent-encoded and
    /// decoded here, once.
    init(_ components: URLComponents) throws(ServiceError) {
        var query: [String: String] = [:]
        for item in components.percentEncodedQueryItems ?? [] {
            query[item.name] = try Self.decoded(item.value ?? "", part: "query")
        }
        let port: Int
        if let explicit = components.port {
            guard (1...65535).contains(explicit) else { throw .invalid("DATABASE_URL port must be in 1...65535") }
            port = explicit
        } else {
            port = 5432
        }
        var host = try Self.decoded(components.percentEncodedHost ?? "", part: "host")
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        if let override = query["host"] {
            host = override
        }
        guard !host.isEmpty else { throw .invalid("DATABASE_URL needs a host") }

        let tls: TLSMode
        switch (query["sslmode"] ?? query["ssl"] ?? "disable").lowercased() {
        case "disable", "false", "allow": tls = .disable
        case "prefer": tls = .prefer
        case "require", "verify-ca", "verify-full", "true": tls = .require
        default: throw .invalid("DATABASE_URL sslmode must be disable, prefer or require")
        }

        let endpoint: Endpoint
        if host.hasPrefix("/") {
            let directory = host.hasSuffix("/") ? String(host.dropLast()) : host
            endpoint = .unixSocket(path: "\(directory)/.s.PGSQL.\(port)")
        } else {
            guard !host.contains("/"), !host.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else {
                throw .invalid("DATABASE_URL host must be a host name, an IP literal or an absolute socket directory")
            }
            endpoint = .tcp(host: host, port: port)
        }

        let path = components.percentEncodedPath
        let databaseText = try Self.decoded(path.hasPrefix("/") ? String(path.dropFirst()) : path, part: "database name")
        let user = try components.percentEncodedUser.map { (text) throws(ServiceError) in try Self.decoded(text, part: "user") }
        let password = try components.percentEncodedPassword.map { (text) throws(ServiceError) in try Self.decoded(text, part: "password") }
        self.init(
            endpoint: endpoint,
            username: user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres",
            password: password,
            database: databaseText.isEmpty ? nil : databaseText,
            tls: tls
        )
    }

    /// `text` percent-decoded once; refuses malformed escapes and decoded control characters.
    private static func decoded(_ text: String, part: String) throws(ServiceError) -> String {
        guard let value = text.removingPercentEncoding else {
            throw .invalid("DATABASE_URL \(part) has a malformed percent escape")
        }
        guard !DatabaseLocation.hasControlCharacters(value) else {
            throw .invalid("DATABASE_URL \(part) must not contain control characters")
        }
        return value
    }
}
