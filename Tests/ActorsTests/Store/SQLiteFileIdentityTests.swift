import Actors
import Foundation
import TestSupport
import Testing

/// The SQLite data file deleted or replaced under a running store: the store stops
/// answering (unavailable, so ingest is 503 and readiness fails) instead of writing into
/// an unlinked file, and never creates a new empty database in its place.
@Suite(.timeLimit(.minutes(2))) struct SQLiteFileIdentityTests {
    @Test func aDeletedDataFileMakesTheStoreUnavailableAndIsNotRecreated() async throws {
        try await TestDatabase.with(.sqlite) { database in
            guard case .sqlite(let path) = database.location else { return }
            try await withStore(database) { store in
                _ = try await store.ingestOne(record("file-1", confirmations: 3))
                try FileManager.default.removeItem(atPath: path)

                let ingest = await #expect(throws: ServiceError.self) { try await store.ingestOne(record("file-2", confirmations: 3)) }
                #expect(ingest?.code == .unavailable)
                #expect(ingest?.message.contains("missing") == true, "\(String(describing: ingest))")
                await #expect(throws: ServiceError.self) { try await store.ping() }
                await #expect(throws: ServiceError.self) { try await store.statistics() }
                // Again, after the pool has dropped its connection: still refused, still no file.
                await #expect(throws: ServiceError.self) { try await store.ingestOne(record("file-3", confirmations: 3)) }
                #expect(!FileManager.default.fileExists(atPath: path))
            }
        }
    }

    @Test func aReplacedDataFileMakesTheStoreUnavailable() async throws {
        try await TestDatabase.with(.sqlite) { database in
            guard case .sqlite(let path) = database.location else { return }
            try await withStore(database) { store in
                _ = try await store.ingestOne(record("replaced-1", confirmations: 3))
                // Another database moved over the path (a restore gone wrong).
                let other = path + ".other"
                try FileManager.default.copyItem(atPath: path, toPath: other)
                _ = rename(other, path)

                let ingest = await #expect(throws: ServiceError.self) { try await store.ingestOne(record("replaced-2", confirmations: 3)) }
                #expect(ingest?.code == .unavailable)
                #expect(ingest?.message.contains("replaced") == true, "\(String(describing: ingest))")
                await #expect(throws: ServiceError.self) { try await store.ping() }
            }
        }
    }
}
