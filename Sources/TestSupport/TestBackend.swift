import Foundation

/// The databases tests run against.
///
/// PostgreSQL comes from `CRICALGO_TEST_DATABASE_URL` (set by `ops/test.sh`, which starts a
/// throwaway cluster); each test gets a database of its own, dropped afterwards. SQLite
/// gets a fresh file in a temporary directory.
public enum TestBackend: String, Sendable, CaseIterable {
    case sqlite
    case postgres

    /// The URL of the test cluster's maintenance database, if one was provided.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["CRICALGO_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a run without PostgreSQL must fail rather than skip (set under CI).
    public static var postgresRequired: Bool {
        ProcessInfo.processInfo.environment["CRICALGO_REQUIRE_POSTGRES"] == "true"
    }

    /// The backends available in this run: SQLite always, PostgreSQL when configured.
    public static var available: [TestBackend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }
}
