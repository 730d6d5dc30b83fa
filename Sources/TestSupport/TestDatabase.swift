import Actors
import Foundation
import Logging
import PostgresNIO
import SQLiteNIO

/// A database that exists for one test.
public struct TestDatabase: Sendable {
    public let backend: TestBackend
    public let location: DatabaseLocation
    private let cleanup: @Sendable () async -> Void

    /// Creates an empty database for `backend`.
    public static func create(_ backend: TestBackend) async throws -> TestDatabase {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return TestDatabase(backend: backend, location: .sqlite(path: directory.appendingPathComponent("test.sqlite").path)) {
                try? FileManager.default.removeItem(at: directory)
            }
        case .postgres:
            guard let url = TestBackend.postgresURL, case .postgres(let admin) = try DatabaseLocation(url: url) else {
                throw ServiceError(.unavailable, "CRICALGO_TEST_DATABASE_URL is not set")
            }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await Self.administer(admin, "CREATE DATABASE \(name)")
            var address = admin
            address.database = name
            return TestDatabase(backend: backend, location: .postgres(address)) {
                try? await Self.administer(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
        }
    }

    private init(backend: TestBackend, location: DatabaseLocation, cleanup: @escaping @Sendable () async -> Void) {
        self.backend = backend
        self.location = location
        self.cleanup = cleanup
    }

    /// An existing SQLite file (left in place afterwards).
    public static func sqliteFile(_ path: String) async throws -> TestDatabase {
        TestDatabase(backend: .sqlite, location: .sqlite(path: path)) {}
    }

    /// Removes the database.
    public func drop() async {
        await self.cleanup()
    }

    /// The `DATABASE_URL` a child process would use for this database.
    public var url: String {
        switch self.location {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let address): "postgres://\(address.username)@\(address.host):\(address.port)/\(address.database ?? "")"
        }
    }

    /// Runs raw SQL against this database, outside the store (to corrupt it on purpose, or inspect it).
    public func execute(_ sql: String) async throws {
        switch self.location {
        case .sqlite(let path):
            let connection = try await SQLiteConnection.open(storage: .file(path: path))
            try await withCleanup { _ = try await connection.query(sql) } cleanup: { try await connection.close() }
        case .postgres(let address):
            try await Self.administer(address, sql)
        }
    }

    private static func administer(_ address: DatabaseLocation.PostgresAddress, _ sql: String) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: address.host, port: address.port, username: address.username,
                                 password: address.password, database: address.database, tls: .disable),
            id: 0,
            logger: Logger(label: "test-admin")
        )
        try await withCleanup {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test-admin"))
        } cleanup: {
            try await connection.close()
        }
    }

    /// Runs `body` with a fresh database that is dropped afterwards, whatever happens.
    public static func with<Result>(_ backend: TestBackend, _ body: (TestDatabase) async throws -> Result) async throws -> Result {
        let database = try await TestDatabase.create(backend)
        return try await withCleanup { try await body(database) } cleanup: { await database.drop() }
    }
}
