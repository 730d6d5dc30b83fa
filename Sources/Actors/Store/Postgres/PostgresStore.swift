import Foundation
import Logging
import PostgresNIO
import Runtime

/// The PostgreSQL store: connections rationed by a ``PoolActor``, every mutation one
/// transaction, job claims with `FOR UPDATE SKIP LOCKED` so several processes can share
/// one database, and a `NOTIFY` when jobs are queued.
///
/// What to write is decided by the deposit rules in `Sources/Actors/Rules` (the same ones
/// ``SQLiteStore`` runs); where SQL must apply a rule (the ingest upsert, claim
/// eligibility, verify's checks) the statement is rendered from the rule for
/// ``SQLDialect/postgres`` once, and this type only reads and writes.
public final class PostgresStore: ClaimSettlingStore {
    public typealias Pool = PoolActor<PostgresConnectionFactory, ContinuousClock>

    /// The channel on which ingest announces new jobs.
    public static let jobsChannel = "cricalgo_deposit_jobs"

    public let backend = StoreBackend.postgres
    let pool: Pool
    let factory: PostgresConnectionFactory
    let logger: Logger
    let clock: WallClock
    let faults: any FaultInjector
    /// Makes the ids of new deposits: time-ordered, so the primary key's index grows at its end.
    let ids: UUIDv7.Generator
    /// Names this store in the notifications its ingest sends (``JobNotification``): random,
    /// one per store, so the listener of the same process recognises its own.
    public let notificationSender: String

    /// - Parameters:
    ///   - pool: runs as its own service (a child of the root supervisor); the store only leases from it.
    public init(pool: Pool, factory: PostgresConnectionFactory, logger: Logger, clock: WallClock = .system, faults: any FaultInjector = NoFaults()) {
        self.pool = pool
        self.factory = factory
        self.logger = logger
        self.clock = clock
        self.faults = faults
        self.ids = UUIDv7.Generator(clock: clock)
        self.notificationSender = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)).lowercased()
    }

    public func ping() async throws {
        _ = try await self.withConnection { connection in
            try await connection.query("SELECT 1", logger: self.logger)
        }
    }

    public func close() async {
        await self.pool.close()
    }

    /// Runs `body` on a pooled connection, mapping database errors to ``ServiceError``.
    /// Cancelling the calling task closes the connection under a waiting query (see
    /// ``PostgresSession``), so the body fails promptly and the server rolls back.
    func withConnection<Result: Sendable>(_ body: (PostgresSession) async throws -> Result) async throws -> Result {
        do {
            return try await self.pool.withConnection { connection in
                try await body(PostgresSession(connection: connection, deadline: self.factory.session.clientDeadline))
            }
        } catch let error as RuntimeError where error.code == .poolAcquireTimeout || error.code == .poolClosed || error.code == .connectionFailed {
            throw ServiceError(.unavailable, "database unavailable: \(error.code)", underlying: error)
        } catch let error as PSQLError {
            throw Self.map(error)
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`. Any error leaves the transaction uncommitted: the
    /// pool closes a connection whose body failed, and the server rolls back the transaction
    /// of a closed connection. (No explicit ROLLBACK: after a server error the connection may
    /// be closing, and a query written to it then never completes; see ``PostgresSession``.)
    func withTransaction<Result: Sendable>(_ body: (PostgresSession) async throws -> Result) async throws -> Result {
        try await self.withConnection { connection in
            try await connection.query("BEGIN", logger: self.logger)
            let result = try await body(connection)
            // A task cancelled mid-transaction (a killed worker) must not commit.
            try Task.checkCancellation()
            try await connection.query("COMMIT", logger: self.logger)
            return result
        }
    }

    static func map(_ error: PSQLError) -> ServiceError {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == "23505" {
                return ServiceError(.conflict, "a record with the same unique key exists", underlying: error)
            }
            if Self.isDataException(sqlState: state) {
                return .storeRefusedData("SQLSTATE \(state)", underlying: error)
            }
            if state == "40P01" || state == "40001" {
                return .storeConflict("SQLSTATE \(state)", underlying: error)
            }
            if Self.isUnavailability(sqlState: state) {
                return ServiceError(.unavailable, "database unavailable (SQLSTATE \(state))", underlying: error)
            }
            return ServiceError(.storeFailure, "database error \(state)", underlying: error)
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return ServiceError(.unavailable, "database connection lost", underlying: error)
        default:
            return ServiceError(.storeFailure, "database error \(error.code)", underlying: error)
        }
    }

    /// Whether the server refused the values rather than the statement or the session:
    /// class 22 (data exception: NUL in text, numeric overflow, bad encoding), 23 (integrity
    /// constraint: a CHECK, NOT NULL or foreign key; 23505 is the unique-key path and handled
    /// apart) and 54 (program limit exceeded: an index row too large).
    static func isDataException(sqlState: String) -> Bool {
        sqlState.hasPrefix("22") || (sqlState.hasPrefix("23") && sqlState != "23505") || sqlState.hasPrefix("54")
    }

    /// Whether the server could not serve the statement now, whatever its values: a
    /// serialization failure or deadlock (40001, 40P01), a connection exception (class 08),
    /// the server shutting down or not yet accepting (57P01–57P03), too many connections
    /// (53300), a lock or statement timeout (55P03, 57014). Retrying later can succeed, so
    /// none of these is charged to a deposit.
    static func isUnavailability(sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["40001", "40P01", "57P01", "57P02", "57P03", "53300", "55P03", "57014"].contains(sqlState)
    }

    /// Applies migrations on a connection of its own, so it works before the pool runs.
    public func migrate() async throws -> [Int] {
        try await self.migrate(through: .max)
    }

    /// Applies pending migrations up to `version` only (tests build a database as an older
    /// release left it, then migrate the rest).
    public func migrate(through version: Int) async throws -> [Int] {
        let connection: PostgresConnection
        do {
            connection = try await self.factory.connect()
        } catch {
            throw ServiceError(.unavailable, "database unavailable for migrations", underlying: error)
        }
        do {
            // A migration may rewrite a large table, and the next migrator waits for the first:
            // neither is bounded by the service's per-statement limits.
            try await connection.query("SET statement_timeout = 0", logger: self.logger)
            try await connection.query("SET lock_timeout = 0", logger: self.logger)
            // One migrator at a time across processes; the lock ends with the session.
            try await connection.query("SELECT pg_advisory_lock(727274)", logger: self.logger)
            let applied = try await self.applyMigrations(on: connection, through: version)
            await self.factory.close(connection)
            return applied
        } catch {
            await self.factory.close(connection)
            throw error
        }
    }

    private func applyMigrations(on connection: PostgresConnection, through version: Int) async throws -> [Int] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """,
            logger: self.logger
        )
        var existing: Set<Int> = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: self.logger).decode(Int.self) {
            existing.insert(version)
        }
        // Under the advisory lock, so no other process is migrating while this one reads.
        let latest = Migrations.latest(Migrations.postgres)
        if let newest = existing.max(), newest > latest {
            throw Migrations.newerSchemaError(found: newest, known: latest)
        }
        var applied: [Int] = []
        for migration in Migrations.postgres where !existing.contains(migration.version) && migration.version <= version {
            do {
                try await connection.query("BEGIN", logger: self.logger)
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: self.logger
                )
                try await connection.query("COMMIT", logger: self.logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                throw ServiceError(.migrationFailed, "migration \(migration.version) (\(migration.name)) failed", underlying: error)
            }
            applied.append(migration.version)
            self.logger.info("migration_applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
        return applied
    }

    public var latestSchemaVersion: Int { Migrations.latest(Migrations.postgres) }

    /// Reads the schema version on a connection of its own (as ``migrate()`` does), so a
    /// refused login surfaces at once instead of as the pool's reconnect attempts.
    public func schemaVersion() async throws -> Int? {
        let connection: PostgresConnection
        do {
            connection = try await self.factory.connect()
        } catch {
            throw ServiceError(.unavailable, "database unavailable", underlying: error)
        }
        do {
            let version = try await Self.schemaVersion(on: PostgresSession(connection: connection), logger: self.logger)
            await self.factory.close(connection)
            return version
        } catch {
            await self.factory.close(connection)
            throw error
        }
    }

    private static func schemaVersion(on connection: PostgresSession, logger: Logger) async throws -> Int? {
        do {
            var exists = false
            for try await found in try await connection.query(
                "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger
            ).decode(Bool.self) {
                exists = found
            }
            guard exists else { return nil }
            var version: Int?
            for try await newest in try await connection.query("SELECT max(version) FROM schema_migrations", logger: logger).decode(Int?.self) {
                version = newest
            }
            return version
        } catch let error as PSQLError {
            throw Self.map(error)
        }
    }
}
