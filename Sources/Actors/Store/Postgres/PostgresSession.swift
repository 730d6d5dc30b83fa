import Logging
import PostgresNIO

/// A pooled connection as the store's transactions use it: every query first checks that
/// the server has not closed the connection.
///
/// postgres-nio 1.33 never completes a query written to a closed connection (the write
/// fails before the query reaches its state machine; vapor/postgres-nio#487, reverted in
/// #501), and such a query ignores cancellation. When the server goes away (a restart sends
/// 57P01 to idle connections too), the next query of a transaction would wedge its worker or
/// ingest slot for good. Failing fast instead lets the pool drop the connection.
struct PostgresSession {
    let connection: PostgresConnection

    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        guard !self.connection.isClosed else { throw ServiceError(.unavailable, "database connection lost") }
        return try await self.connection.query(query, logger: logger, file: file, line: line)
    }
}
