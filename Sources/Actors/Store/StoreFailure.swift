/// Why a store operation failed, as far as a caller deciding what to retry cares.
///
/// | kind | examples | what a caller does |
/// |---|---|---|
/// | ``data`` | PostgreSQL SQLSTATE class 22 (NUL in text, numeric overflow), 23 other than the unique-key path, 54 (index row too large); SQLite `SQLITE_CONSTRAINT`, `SQLITE_TOOBIG`, `SQLITE_MISMATCH` | the same values fail again; a batch is retried record by record so only the offender fails (HTTP 422) |
/// | ``unavailable`` | connection lost, pool timeout, database file busy | every record of the batch fails; retry later (HTTP 503) |
/// | ``other`` | anything else | as unavailable |
public enum StoreFailureKind: Sendable, Hashable {
    case data
    case unavailable
    case other

    public init(_ error: any Error) {
        guard let error = error as? ServiceError else {
            self = .other
            return
        }
        if error.code == .invalidField, error.underlying is StoreDataRefusal {
            self = .data
        } else if error.code == .unavailable {
            self = .unavailable
        } else {
            self = .other
        }
    }
}

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

/// The database gave up on a transaction because of concurrent ones (a deadlock or a
/// serialization failure): the same statements can succeed when run again at once. Carried as
/// the ``ServiceError/underlying`` error of an ``ServiceError/Code/unavailable`` error.
public struct StoreTransientConflict: Error, Sendable, CustomStringConvertible {
    /// What the database said: `SQLSTATE 40P01`.
    public var reason: String
    public var underlying: (any Error)?

    public init(reason: String, underlying: (any Error)? = nil) {
        self.reason = reason
        self.underlying = underlying
    }

    public var description: String { "a transaction conflict (\(self.reason))" }
}

extension ServiceError {
    /// A deadlock or serialization failure: unavailable now (HTTP 503 if it persists), worth
    /// running again at once.
    public static func storeConflict(_ reason: String, underlying: (any Error)? = nil, file: String = #fileID, line: Int = #line) -> ServiceError {
        ServiceError(
            .unavailable, "database unavailable (\(reason))",
            underlying: StoreTransientConflict(reason: reason, underlying: underlying), file: file, line: line
        )
    }
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
