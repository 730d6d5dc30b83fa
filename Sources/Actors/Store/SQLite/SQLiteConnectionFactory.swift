import Foundation
import Logging
import NIOCore
import Runtime
import SQLiteNIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens the embedded SQLite database for the ``PoolActor``: WAL journal, full fsync on
/// commit (a committed webhook survives power loss), foreign keys on.
///
/// Only the first connection of a read-write factory may create the file (and its
/// directory); every later one opens it with `mode=rw`, which never creates, and only
/// while the path still names the file first opened (same device and inode). A data file
/// deleted or replaced under a running service therefore makes the store unavailable
/// instead of handing out a new, empty database or writing into an unlinked file. A
/// read-only factory (`cricalgo verify`) opens with `mode=ro` and never creates anything.
public struct SQLiteConnectionFactory: ConnectionFactory {
    public typealias Connection = SQLiteConnection

    public enum Access: Sendable {
        case readWrite
        case readOnly
    }

    private let path: String
    private let access: Access
    private let logger: Logger
    /// The file the first connection opened; shared by copies of the factory.
    private let opened: OpenedFile

    public init(path: String, access: Access = .readWrite, logger: Logger) {
        self.path = path
        self.access = access
        self.logger = logger
        self.opened = OpenedFile()
    }

    public func connect() async throws -> SQLiteConnection {
        let expected = self.opened.identity
        let mode: String
        if expected == nil && self.access == .readWrite {
            let directory = URL(fileURLWithPath: self.path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            mode = "rwc"
        } else {
            _ = try self.currentIdentity(expected: expected)
            mode = self.access == .readOnly ? "ro" : "rw"
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: Self.uri(self.path, mode: mode)), logger: self.logger)
        do {
            // Each setting is idempotent, so a busy answer runs them all again.
            try await Self.retryingBusy {
                _ = try await connection.query("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)")
                if self.access == .readWrite {
                    _ = try await connection.query("PRAGMA journal_mode = WAL")
                }
                _ = try await connection.query("PRAGMA synchronous = FULL")
                _ = try await connection.query("PRAGMA foreign_keys = ON")
            }
            // Opened, and the path still names the same file (not replaced while opening).
            let identity = try self.currentIdentity(expected: expected)
            self.opened.record(identity)
        } catch {
            await self.close(connection)
            throw error
        }
        return connection
    }

    /// How long a statement waits for another connection's lock before SQLite answers busy.
    static let busyTimeoutMilliseconds = 5000

    /// Runs `body` again while SQLite answers busy, for as long as the busy timeout. On a
    /// new file two connections (two processes starting together) can meet where the busy
    /// handler is not called: before the busy timeout is set, while the other one sets the
    /// file up, and when both switch the file to WAL, each holding a shared lock and wanting
    /// the exclusive one, where SQLite answers one of them busy at once because waiting
    /// would deadlock. The refused one has released its lock by then, so it tries again
    /// after a short, jittered pause (so two refused ones do not meet again).
    static func retryingBusy(_ body: () async throws -> Void) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Self.busyTimeoutMilliseconds)
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as SQLiteError where error.reason == .busy || error.reason == .locked {
                attempt += 1
                let pause = Self.busyBackoff.delay(attempt: attempt)
                guard ContinuousClock.now + pause < deadline else { throw error }
                try await Task.sleep(for: pause)
            }
        }
    }

    private static let busyBackoff = Backoff(minimum: .milliseconds(1), maximum: .milliseconds(50))

    public func validate(_ connection: SQLiteConnection) async -> Bool {
        guard !connection.isClosed, (try? self.checkFile()) != nil else { return false }
        return (try? await connection.query("SELECT 1")) != nil
    }

    public func close(_ connection: SQLiteConnection) async {
        // The future-returning close, not the async one: that one gives up when the calling
        // task is cancelled (a pool shutting down), which would leak the database handle.
        let closed: EventLoopFuture<Void> = connection.close()
        try? await closed.get()
    }

    /// Throws ``ServiceError/Code/unavailable`` when the path no longer names the file the
    /// first connection opened (deleted, or replaced by another file). A `stat` call: cheap
    /// enough for every transaction.
    public func checkFile() throws {
        _ = try self.currentIdentity(expected: self.opened.identity)
    }

    private func currentIdentity(expected: FileIdentity?) throws -> FileIdentity {
        guard let current = FileIdentity(path: self.path) else {
            throw ServiceError(.unavailable, "SQLite database file \(self.path) is missing (deleted, or never created)")
        }
        if let expected, expected != current {
            throw ServiceError(.unavailable, "SQLite database file \(self.path) was replaced by another file since it was opened")
        }
        return current
    }

    /// The `file:` URI SQLite opens `path` with (`mode` rwc, rw or ro); `%`, `?` and `#` in
    /// the path are escaped, a relative path is made absolute.
    static func uri(_ path: String, mode: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var escaped = ""
        for character in absolute {
            switch character {
            case "%": escaped += "%25"
            case "?": escaped += "%3f"
            case "#": escaped += "%23"
            default: escaped.append(character)
            }
        }
        return "file:\(escaped)?mode=\(mode)"
    }
}
