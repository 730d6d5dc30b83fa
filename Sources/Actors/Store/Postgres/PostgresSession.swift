import Logging
import NIOCore
import PostgresNIO

/// A pooled connection as the store's transactions use it: every query first checks that
/// the server has not closed the connection, and a query whose task is cancelled, or that
/// gets no answer within the client deadline, closes the connection.
///
/// postgres-nio 1.33 never completes a query written to a closed connection (the write
/// fails before the query reaches its state machine; vapor/postgres-nio#487, reverted in
/// #501), and such a query ignores cancellation. When the server goes away (a restart sends
/// 57P01 to idle connections too), the next query of a transaction would wedge its worker or
/// ingest slot for good. Failing fast instead lets the pool drop the connection.
///
/// postgres-nio 1.33 also ignores task cancellation while a query waits for its answer (a
/// row lock held elsewhere, a half-open connection). Closing the connection fails the query
/// at once; the server then ends the backend, rolling back its transaction and releasing its
/// locks. The pool never reuses a connection whose body failed.
struct PostgresSession {
    let connection: PostgresConnection
    /// Longest wait for one query's answer before the connection is closed; nil for none.
    var deadline: Duration? = nil

    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await self.guarded(logger: logger) { connection in
            try await connection.query(query, logger: logger, file: file, line: line)
        }
    }

    /// Runs a prepared statement (postgres-nio prepares it on this connection the first
    /// time, by its name), guarded like ``query(_:logger:file:line:)``.
    func execute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row> {
        try await self.guarded(logger: logger) { connection in
            try await connection.execute(statement, logger: logger, file: file, line: line)
        }
    }

    private func guarded<Result>(logger: Logger, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        guard !self.connection.isClosed else { throw ServiceError(.unavailable, "database connection lost") }
        let connection = self.connection
        let watchdog = self.deadline.map { deadline in
            connection.eventLoop.scheduleTask(in: .nanoseconds(Self.nanoseconds(deadline))) {
                logger.warning("database_query_deadline_passed", metadata: ["db.deadline_ms": "\(Self.nanoseconds(deadline) / 1_000_000)"])
                connection.close().whenComplete { _ in }
            }
        }
        defer { watchdog?.cancel() }
        return try await withTaskCancellationHandler {
            try await body(connection)
        } onCancel: {
            connection.close().whenComplete { _ in }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
