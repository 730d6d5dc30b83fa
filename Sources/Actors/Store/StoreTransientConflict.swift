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
