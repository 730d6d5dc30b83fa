import Foundation
import Logging
import Runtime
import SQLiteNIO

/// The embedded store: one SQLite file, one writer connection (SQLite serialises writers
/// anyway), every mutation in `BEGIN IMMEDIATE … COMMIT`. Amounts are canonical decimal
/// text added in Swift with ``Amount``, so sums stay exact.
///
/// What to write is decided by the deposit rules in `Sources/Actors/Rules` (the same ones
/// ``PostgresStore`` runs); where SQL must apply a rule (the ingest upsert, claim
/// eligibility, verify's checks) the statement is rendered from the rule for
/// ``SQLDialect/sqlite`` once, and this type only reads and writes.
public final class SQLiteStore: DepositStore {
    public typealias Pool = PoolActor<SQLiteConnectionFactory, ContinuousClock>

    public let backend = StoreBackend.sqlite
    let pool: Pool
    let factory: SQLiteConnectionFactory
    let logger: Logger
    let clock: WallClock
    /// Makes the ids of new deposits: time-ordered, so the primary key's index grows at its end.
    let ids: UUIDv7.Generator
    let faults: any FaultInjector

    /// - Parameter pool: sized 1 + 0 overflow; runs as its own service.
    public init(pool: Pool, factory: SQLiteConnectionFactory, logger: Logger, clock: WallClock = .system, faults: any FaultInjector = NoFaults()) {
        self.pool = pool
        self.factory = factory
        self.logger = logger
        self.clock = clock
        self.ids = UUIDv7.Generator(clock: clock)
        self.faults = faults
    }

    public func ping() async throws {
        try await self.withConnection { connection in
            _ = try await connection.query("SELECT 1")
        }
    }

    public func close() async {
        await self.pool.close()
    }

    /// Runs `body` on the pooled connection, after checking that the data file is still the
    /// one opened (a deleted or replaced file makes the store unavailable: readiness and
    /// health turn 503 and no webhook is answered 202 for a write into an unlinked file).
    func withConnection<Result: Sendable>(_ body: (SQLiteConnection) async throws -> Result) async throws -> Result {
        // Checked before waiting for the pool too: with the file gone the pool cannot
        // reconnect, and a caller must fail at once rather than wait out the pool timeout.
        try self.factory.checkFile()
        do {
            return try await self.pool.withConnection { connection in
                try self.factory.checkFile()
                return try await body(connection)
            }
        } catch let error as RuntimeError where error.code == .poolAcquireTimeout || error.code == .poolClosed || error.code == .connectionFailed {
            throw ServiceError(.unavailable, "database unavailable: \(error.code)", underlying: error)
        } catch let error as SQLiteError {
            throw Self.map(error)
        }
    }

    func withTransaction<Result: Sendable>(_ body: (SQLiteConnection) async throws -> Result) async throws -> Result {
        try await self.withConnection { connection in
            _ = try await connection.query("BEGIN IMMEDIATE")
            let result: Result
            do {
                result = try await body(connection)
                // A task cancelled mid-transaction (a killed worker) must not commit.
                try Task.checkCancellation()
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
            _ = try await connection.query("COMMIT")
            return result
        }
    }

    static func map(_ error: SQLiteError) -> ServiceError {
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            ServiceError(.conflict, "a record with the same unique key exists", underlying: error)
        case .busy, .locked, .ioError, .cantOpen, .full:
            ServiceError(.unavailable, "database file unavailable: \(error.reason)", underlying: error)
        // The values themselves: a CHECK, NOT NULL, foreign key or STRICT type refused, a
        // string or blob over the length limit, a type mismatch.
        case .constraint, .constraintCheckFailed, .constraintNotNullFailed, .constraintForeignKeyFailed,
             .constraintStrictDataTypeFailed, .constraintTriggerFailed, .tooBig, .mismatch:
            .storeRefusedData("SQLite \(error.reason)", underlying: error)
        default:
            ServiceError(.storeFailure, "database error \(error.reason)", underlying: error)
        }
    }

    /// Applies migrations on a connection of its own, so it works before the pool runs.
    public func migrate() async throws -> [Int] {
        try await self.migrate(through: .max)
    }

    /// Applies pending migrations up to `version` only (tests build a database as an older
    /// release left it, then migrate the rest).
    public func migrate(through version: Int) async throws -> [Int] {
        let connection: SQLiteConnection
        do {
            connection = try await self.factory.connect()
        } catch {
            throw ServiceError(.unavailable, "database file unavailable for migrations", underlying: error)
        }
        do {
            let applied = try await self.applyMigrations(on: connection, through: version)
            await self.factory.close(connection)
            return applied
        } catch {
            await self.factory.close(connection)
            throw error
        }
    }

    /// Applies each pending migration in its own `BEGIN IMMEDIATE` transaction that also
    /// reads `schema_migrations`: the version check happens under the write lock, so
    /// processes starting together on a new file apply each migration once and all succeed.
    /// A schema newer than this binary knows is refused.
    private func applyMigrations(on connection: SQLiteConnection, through version: Int) async throws -> [Int] {
        let latest = Migrations.latest(Migrations.sqlite)
        var applied: [Int] = []
        while true {
            _ = try await connection.query("BEGIN IMMEDIATE")
            let pending: Migrations.Migration?
            do {
                _ = try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_at INTEGER NOT NULL
                    ) STRICT
                    """
                )
                let existing = Set(try await connection.query("SELECT version FROM schema_migrations").compactMap { $0.column("version")?.integer })
                if let newest = existing.max(), newest > latest {
                    throw Migrations.newerSchemaError(found: newest, known: latest)
                }
                pending = Migrations.sqlite.first { !existing.contains($0.version) && $0.version <= version }
                if let migration = pending {
                    do {
                        for statement in migration.statements {
                            _ = try await connection.query(statement)
                        }
                        _ = try await connection.query(
                            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                            [.integer(migration.version), .text(migration.name), .integer(Int(self.clock.now().unixMilliseconds))]
                        )
                    } catch {
                        throw ServiceError(.migrationFailed, "migration \(migration.version) (\(migration.name)) failed", underlying: error)
                    }
                }
                _ = try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
            guard let migration = pending else { return applied }
            applied.append(migration.version)
            self.logger.info("migration_applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
    }

    public var latestSchemaVersion: Int { Migrations.latest(Migrations.sqlite) }

    public func schemaVersion() async throws -> Int? {
        try await self.withConnection { connection in
            let table = try await connection.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
            guard !table.isEmpty else { return nil }
            return try await connection.query("SELECT max(version) AS version FROM schema_migrations").first?.column("version")?.integer
        }
    }
}

extension SQLiteData {
    init(_ uuid: UUID) { self = .text(uuid.uuidString.lowercased()) }
    init(_ date: Date) { self = .integer(Int(date.unixMilliseconds)) }
    init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    init(_ number: Int64?) { self = number.map { .integer(Int($0)) } ?? .null }
}

extension SQLiteRow {
    func text(_ name: String) throws -> String {
        guard let value = self.column(name)?.string else { throw ServiceError(.storeFailure, "column \(name) is missing") }
        return value
    }

    func optionalText(_ name: String) -> String? {
        guard let value = self.column(name), !value.isNull else { return nil }
        return value.string
    }

    func int(_ name: String) throws -> Int64 {
        guard let value = self.column(name)?.integer else { throw ServiceError(.storeFailure, "column \(name) is missing") }
        return Int64(value)
    }

    func uuid(_ name: String) throws -> UUID {
        guard let value = UUID(uuidString: try self.text(name)) else { throw ServiceError(.storeFailure, "column \(name) is not a UUID") }
        return value
    }

    func amount(_ name: String) throws -> Amount {
        try Amount(parsing: try self.text(name))
    }
}
