import Actors
import Foundation
import Logging
import Runtime
import TestSupport
import Testing

/// Knowing the store: a schema newer than this binary is refused on both backends, and
/// SQLite migrates safely when several stores start on a new file at once.
@Suite(.timeLimit(.minutes(3))) struct StoreSchemaTests {
    @Test(arguments: TestBackend.available)
    func aSchemaNewerThanThisBinaryIsRefused(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                let latest = store.latestSchemaVersion
                #expect(try await store.schemaVersion() == latest)
                try await store.requireCurrentSchema()
                let appliedAt = backend == .postgres ? "now()" : "0"
                try await database.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(latest + 7), 'from_the_future', \(appliedAt))")

                let error = await #expect(throws: ServiceError.self) { try await store.migrate() }
                #expect(error?.message.contains("schema version \(latest + 7) is newer than this binary knows (\(latest))") == true, "\(String(describing: error))")
                await #expect(throws: ServiceError.self) { try await store.requireCurrentSchema() }
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func anEmptyDatabaseHasNoSchemaToVerify(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            if backend == .sqlite, case .sqlite(let path) = database.location {
                // An empty file, as a stray `sqlite3` call would leave it.
                _ = FileManager.default.createFile(atPath: path, contents: Data())
            }
            let handle = try StoreHandle.make(
                ServiceConfiguration(database: database.location), metrics: Self.metrics(), clock: .system, faults: NoFaults(),
                logger: Logger(label: "test-schema"), access: .readOnly
            )
            try await handle.withRunningPool { (store: any DepositStore) async throws in
                #expect(try await store.schemaVersion() == nil)
                let error = await #expect(throws: ServiceError.self) { try await store.requireCurrentSchema() }
                #expect(error?.code == .notFound)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func aReadOnlyStoreVerifiesButCannotWrite(backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            try await withStore(database) { store in
                _ = try await store.createUser(username: "before-verify", telegramID: nil)
            }
            let handle = try StoreHandle.make(
                ServiceConfiguration(database: database.location), metrics: Self.metrics(), clock: .system, faults: NoFaults(),
                logger: Logger(label: "test-schema"), access: .readOnly
            )
            try await handle.withRunningPool { (store: any DepositStore) async throws in
                try await store.requireCurrentSchema()
                #expect(try await store.verify() == [])
                await #expect(throws: (any Error).self) { try await store.createUser(username: "during-verify", telegramID: nil) }
            }
        }
    }

    @Test func aReadOnlyStoreRefusesAMissingSQLiteFileAndCreatesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-ro-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("data/cricalgo.sqlite").path
        let error = #expect(throws: ServiceError.self) {
            try StoreHandle.make(
                ServiceConfiguration(database: .sqlite(path: path)), metrics: Self.metrics(), clock: .system, faults: NoFaults(),
                logger: Logger(label: "test-schema"), access: .readOnly
            )
        }
        #expect(error?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    /// Two stores (two connections, as two processes would have) open and migrate one new
    /// file at once: each migration is applied exactly once and both succeed, round after
    /// round. Opening races too: both switch the new file to WAL at once, where SQLite may
    /// refuse one of them without waiting.
    @Test func concurrentFirstStartsOnANewSQLiteFileMigrateOnce() async throws {
        for round in 0..<8 {
            let database = try await TestDatabase.create(.sqlite)
            defer { Task { await database.drop() } }
            let first = try Self.handle(database)
            let second = try Self.handle(database)
            async let a = first.store.migrate()
            async let b = second.store.migrate()
            let (appliedA, appliedB) = try await (a, b)
            #expect(Set(appliedA).isDisjoint(with: appliedB), "round \(round)")
            #expect((appliedA + appliedB).sorted() == Array(1...first.store.latestSchemaVersion), "round \(round)")
            let versions = try await database.rows("SELECT version FROM schema_migrations ORDER BY version").map { $0[0] ?? "" }
            #expect(versions == (1...first.store.latestSchemaVersion).map(String.init), "round \(round)")
        }
    }

    static func handle(_ database: TestDatabase) throws -> StoreHandle {
        try StoreHandle.make(
            ServiceConfiguration(database: database.location), metrics: Self.metrics(), clock: .system, faults: NoFaults(),
            logger: Logger(label: "test-schema")
        )
    }

    static func metrics() -> ServiceMetrics {
        ServiceMetrics(recorder: MetricsActor(logger: Logger(label: "test-schema")).recorder)
    }
}
