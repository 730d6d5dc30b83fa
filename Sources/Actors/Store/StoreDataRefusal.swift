/// The database refused a record's values. Carried as the ``ServiceError/underlying`` error
/// of an ``ServiceError/Code/invalidField`` error, which marks the failure as tied to the data.
public struct StoreDataRefusal: Error, Sendable, CustomStringConvertible {
    /// What the database said, without the value: `SQLSTATE 22021`, `SQLITE_CONSTRAINT_CHECK`.
    public var reason: String
    /// The database's own error (it may quote the value; keep it out of answers).
    public var underlying: (any Error)?

    public init(reason: String, underlying: (any Error)? = nil) {
        self.reason = reason
        self.underlying = underlying
    }

    public var description: String { "the store refused the data (\(self.reason))" }
}

extension ServiceError {
    /// The database refused a record's values (HTTP 422). The message names the database's
    /// reason, never the value.
    public static func storeRefusedData(_ reason: String, underlying: (any Error)? = nil, file: String = #fileID, line: Int = #line) -> ServiceError {
        ServiceError(
            .invalidField, "the store refused this record's data (\(reason))",
            underlying: StoreDataRefusal(reason: reason, underlying: underlying), file: file, line: line
        )
    }
}
