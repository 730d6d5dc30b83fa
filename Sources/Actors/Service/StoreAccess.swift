/// Whether a store may change the database. `cricalgo verify` opens it read-only: SQLite
/// with `mode=ro` (a missing file is refused, never created); PostgreSQL checks in a
/// `READ ONLY` transaction.
public enum StoreAccess: Sendable {
    case readWrite
    case readOnly
}
