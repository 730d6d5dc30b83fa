import Actors
import Logging
import PostgresNIO

extension TestDatabase {
    /// Runs `body` while a session of the test's own holds the row locks that `lockingSQL`
    /// (a `SELECT … FOR UPDATE`) takes, inside an open transaction; the transaction is
    /// rolled back and the session closed afterwards, whatever happens. PostgreSQL only.
    public func holdingRowLocks<Value>(_ lockingSQL: String, _ body: () async throws -> Value) async throws -> Value {
        guard case .postgres(let address) = self.location else {
            throw ServiceError(.storeFailure, "row locks held from another session need PostgreSQL")
        }
        let logger = Logger(label: "test-lock-holder")
        let connection = try await Self.session(to: address, logger: logger)
        return try await withCleanup {
            try await connection.query("BEGIN", logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: lockingSQL), logger: logger)
            return try await body()
        } cleanup: {
            try? await connection.query("ROLLBACK", logger: logger)
            try await connection.close()
        }
    }
}
