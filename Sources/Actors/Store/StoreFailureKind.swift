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
