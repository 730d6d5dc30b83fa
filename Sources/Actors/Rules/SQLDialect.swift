import Foundation

/// The two SQL dialects the stores speak, and how the rulebook's rules are spelled in each.
///
/// A rule that SQL must apply (readiness inside the ingest upsert, claim eligibility, the
/// invariant checks) is defined once in `Sources/Actors/Rules` and rendered through these
/// few primitives, so the PostgreSQL and SQLite statements cannot drift apart. Rendering
/// happens once per store (the statements are `static let`s), never per call.
enum SQLDialect: Sendable, CaseIterable {
    case postgres
    case sqlite

    /// The row an `INSERT … ON CONFLICT DO UPDATE` proposed.
    var excluded: String {
        switch self {
        case .postgres: "EXCLUDED"
        case .sqlite: "excluded"
        }
    }

    /// The database's clock, in the unit its time columns use (`timestamptz` on PostgreSQL,
    /// Unix milliseconds on SQLite). Constant within one statement on both.
    var now: String {
        switch self {
        case .postgres: "now()"
        case .sqlite: "CAST(unixepoch('subsec') * 1000 AS INTEGER)"
        }
    }

    /// The numbered bind parameter `index` (1-based).
    func parameter(_ index: Int) -> String {
        switch self {
        case .postgres: "$\(index)"
        case .sqlite: "?\(index)"
        }
    }

    /// The larger of two values (both dialects' two-argument form).
    func greatest(_ lhs: String, _ rhs: String) -> String {
        switch self {
        case .postgres: "GREATEST(\(lhs), \(rhs))"
        case .sqlite: "max(\(lhs), \(rhs))"
        }
    }

    /// Equality where two NULLs are equal.
    func isNotDistinct(_ lhs: String, _ rhs: String) -> String {
        switch self {
        case .postgres: "\(lhs) IS NOT DISTINCT FROM \(rhs)"
        case .sqlite: "\(lhs) IS \(rhs)"
        }
    }

    /// Inequality where NULL differs from every value.
    func isDistinct(_ lhs: String, _ rhs: String) -> String {
        switch self {
        case .postgres: "\(lhs) IS DISTINCT FROM \(rhs)"
        case .sqlite: "\(lhs) IS NOT \(rhs)"
        }
    }

    /// A value read as text (PostgreSQL casts; SQLite stores ids and amounts as text already).
    func text(_ expression: String) -> String {
        switch self {
        case .postgres: "\(expression)::text"
        case .sqlite: expression
        }
    }

    /// A string literal, quotes doubled.
    static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `(value1, value2, …)` of string literals, for `IN`.
    static func list(_ values: some Sequence<String>) -> String {
        "(" + values.map(Self.literal).joined(separator: ", ") + ")"
    }
}
