import Actors
import Logging
import PostgresNIO
import SQLiteNIO

extension TestDatabase {
    /// Runs `sql` outside the store and returns each row's columns as text, to inspect what
    /// a process left behind. Cast non-text PostgreSQL columns in the query (`x::text`).
    public func rows(_ sql: String) async throws -> [[String?]] {
        switch self.location {
        case .sqlite(let path):
            let connection = try await SQLiteConnection.open(storage: .file(path: path))
            return try await withCleanup {
                try await connection.query(sql).map { row in row.columns.map(\.data.string) }
            } cleanup: {
                try await connection.close()
            }
        case .postgres(let address):
            let logger = Logger(label: "test-rows")
            let connection = try await Self.session(to: address, logger: logger)
            return try await withCleanup {
                var rows: [[String?]] = []
                for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                    rows.append(try row.map { try $0.decode(String?.self) })
                }
                return rows
            } cleanup: {
                try await connection.close()
            }
        }
    }

    /// A PostgreSQL session of the test's own, outside any store and its pool.
    static func session(to address: DatabaseLocation.PostgresAddress, logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: .init(host: address.host, port: address.port, username: address.username,
                                 password: address.password, database: address.database, tls: .disable),
            id: 0,
            logger: logger
        )
    }
}
