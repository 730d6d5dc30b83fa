import Foundation
import Logging
import Runtime
import NIOCore
import SQLiteNIO

/// Opens the embedded SQLite database for the ``PoolActor``: WAL journal, full fsync on
/// commit (a committed webhook survives power loss), foreign keys on.
public struct SQLiteConnectionFactory: ConnectionFactory {
    public typealias Connection = SQLiteConnection

    private let path: String
    private let logger: Logger

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    public func connect() async throws -> SQLiteConnection {
        let directory = URL(fileURLWithPath: self.path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let connection = try await SQLiteConnection.open(storage: .file(path: self.path), logger: self.logger)
        do {
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("PRAGMA synchronous = FULL")
            _ = try await connection.query("PRAGMA foreign_keys = ON")
            _ = try await connection.query("PRAGMA busy_timeout = 5000")
        } catch {
            await self.close(connection)
            throw error
        }
        return connection
    }

    public func validate(_ connection: SQLiteConnection) async -> Bool {
        guard !connection.isClosed else { return false }
        return (try? await connection.query("SELECT 1")) != nil
    }

    public func close(_ connection: SQLiteConnection) async {
        // The future-returning close, not the async one: that one gives up when the calling
        // task is cancelled (a pool shutting down), which would leak the database handle.
        let closed: EventLoopFuture<Void> = connection.close()
        try? await closed.get()
    }
}
