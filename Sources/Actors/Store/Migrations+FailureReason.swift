extension Migrations {
    /// Version 3: `transactions.failure_reason`, why a deposit was settled without a credit
    /// (`chain_failed: …`, or `balance_ceiling: …` when the credit would have taken the
    /// wallet past the largest NUMERIC(38,18)). Additive: older rows keep NULL.
    static let postgresFailureReason = Migration(version: 3, name: "failure_reason", statements: [
        "ALTER TABLE transactions ADD COLUMN failure_reason TEXT",
        "CREATE INDEX transactions_failure_reason ON transactions (failure_reason) WHERE failure_reason IS NOT NULL",
    ])

    static let sqliteFailureReason = Migration(version: 3, name: "failure_reason", statements: [
        "ALTER TABLE transactions ADD COLUMN failure_reason TEXT",
        "CREATE INDEX transactions_failure_reason ON transactions (failure_reason) WHERE failure_reason IS NOT NULL",
    ])
}
