/// The versioned schema, one list per backend.
///
/// Versions only ever grow; an applied migration is never edited — a change is a new
/// version. Each migration runs in its own transaction together with its
/// `schema_migrations` row, so a crash leaves it either applied or not.
enum Migrations {
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// The highest schema version this binary knows; a database at a higher one was
    /// migrated by a newer release and is refused (``newerSchemaError(found:)``).
    static func latest(_ migrations: [Migration]) -> Int {
        migrations.map(\.version).max() ?? 0
    }

    /// The refusal to serve a schema newer than this binary knows.
    static func newerSchemaError(found: Int, known: Int) -> ServiceError {
        ServiceError(
            .migrationFailed,
            "database schema version \(found) is newer than this binary knows (\(known)): run a release that knows version \(found), or restore a backup"
        )
    }

    static let postgres: [Migration] = [
        Migration(version: 1, name: "deposits", statements: [
            """
            CREATE TABLE users (
                id UUID PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                telegram_id BIGINT UNIQUE,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE wallets (
                user_id UUID PRIMARY KEY REFERENCES users (id),
                deposit_balance NUMERIC(38, 18) NOT NULL DEFAULT 0 CHECK (deposit_balance >= 0),
                winning_balance NUMERIC(38, 18) NOT NULL DEFAULT 0 CHECK (winning_balance >= 0),
                bonus_balance NUMERIC(38, 18) NOT NULL DEFAULT 0 CHECK (bonus_balance >= 0),
                updated_at TIMESTAMPTZ NOT NULL
            )
            """,
            """
            CREATE TABLE transactions (
                id UUID PRIMARY KEY,
                chain TEXT NOT NULL,
                tx_hash TEXT NOT NULL,
                log_index BIGINT NOT NULL DEFAULT 0 CHECK (log_index >= 0),
                amount NUMERIC(38, 18) NOT NULL CHECK (amount > 0),
                currency TEXT NOT NULL,
                confirmations BIGINT NOT NULL CHECK (confirmations >= 0),
                chain_status TEXT NOT NULL CHECK (chain_status IN ('confirmed', 'pending', 'failed')),
                to_address TEXT,
                block_number BIGINT,
                user_ref TEXT,
                user_id UUID REFERENCES users (id),
                metadata JSON,
                state TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'credited', 'unmatched', 'failed', 'dead')),
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                processed_at TIMESTAMPTZ,
                UNIQUE (chain, tx_hash, log_index)
            )
            """,
            "CREATE INDEX transactions_state ON transactions (state)",
            """
            CREATE TABLE deposit_jobs (
                tx_id UUID PRIMARY KEY REFERENCES transactions (id),
                run_at TIMESTAMPTZ NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                locked_by TEXT,
                locked_until TIMESTAMPTZ,
                lease_token UUID,
                last_error TEXT,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX deposit_jobs_run_at ON deposit_jobs (run_at)",
            "CREATE INDEX deposit_jobs_locked_by ON deposit_jobs (locked_by) WHERE locked_by IS NOT NULL",
            """
            CREATE TABLE ledger_entries (
                id BIGSERIAL PRIMARY KEY,
                tx_id UUID NOT NULL UNIQUE REFERENCES transactions (id),
                user_id UUID NOT NULL REFERENCES users (id),
                amount NUMERIC(38, 18) NOT NULL CHECK (amount > 0),
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX ledger_entries_user_id ON ledger_entries (user_id)",
            """
            CREATE TABLE audit_logs (
                id BIGSERIAL PRIMARY KEY,
                tx_id UUID,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT,
                created_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX audit_logs_tx_id ON audit_logs (tx_id)",
        ]),
        Migrations.postgresCanonicalIdentity,
        Migrations.postgresFailureReason,
    ]

    /// SQLite keeps amounts as canonical decimal text (``Amount/description``) and adds
    /// them in Swift, exactly; times are Unix milliseconds; UUIDs lower-case text.
    static let sqlite: [Migration] = [
        Migration(version: 1, name: "deposits", statements: [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                telegram_id INTEGER UNIQUE,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE wallets (
                user_id TEXT PRIMARY KEY REFERENCES users (id),
                deposit_balance TEXT NOT NULL DEFAULT '0' CHECK (deposit_balance NOT LIKE '-%'),
                winning_balance TEXT NOT NULL DEFAULT '0' CHECK (winning_balance NOT LIKE '-%'),
                bonus_balance TEXT NOT NULL DEFAULT '0' CHECK (bonus_balance NOT LIKE '-%'),
                updated_at INTEGER NOT NULL
            ) STRICT
            """,
            """
            CREATE TABLE transactions (
                id TEXT PRIMARY KEY,
                chain TEXT NOT NULL,
                tx_hash TEXT NOT NULL,
                log_index INTEGER NOT NULL DEFAULT 0 CHECK (log_index >= 0),
                amount TEXT NOT NULL CHECK (amount NOT LIKE '-%' AND amount <> '0'),
                currency TEXT NOT NULL,
                confirmations INTEGER NOT NULL CHECK (confirmations >= 0),
                chain_status TEXT NOT NULL CHECK (chain_status IN ('confirmed', 'pending', 'failed')),
                to_address TEXT,
                block_number INTEGER,
                user_ref TEXT,
                user_id TEXT REFERENCES users (id),
                metadata TEXT,
                state TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'credited', 'unmatched', 'failed', 'dead')),
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                processed_at INTEGER,
                UNIQUE (chain, tx_hash, log_index)
            ) STRICT
            """,
            "CREATE INDEX transactions_state ON transactions (state)",
            """
            CREATE TABLE deposit_jobs (
                tx_id TEXT PRIMARY KEY REFERENCES transactions (id),
                run_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                locked_by TEXT,
                locked_until INTEGER,
                lease_token TEXT,
                last_error TEXT,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            "CREATE INDEX deposit_jobs_run_at ON deposit_jobs (run_at)",
            "CREATE INDEX deposit_jobs_locked_by ON deposit_jobs (locked_by) WHERE locked_by IS NOT NULL",
            """
            CREATE TABLE ledger_entries (
                id INTEGER PRIMARY KEY,
                tx_id TEXT NOT NULL UNIQUE REFERENCES transactions (id),
                user_id TEXT NOT NULL REFERENCES users (id),
                amount TEXT NOT NULL CHECK (amount NOT LIKE '-%' AND amount <> '0'),
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            "CREATE INDEX ledger_entries_user_id ON ledger_entries (user_id)",
            """
            CREATE TABLE audit_logs (
                id INTEGER PRIMARY KEY,
                tx_id TEXT,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT,
                created_at INTEGER NOT NULL
            ) STRICT
            """,
            "CREATE INDEX audit_logs_tx_id ON audit_logs (tx_id)",
        ]),
        Migrations.sqliteCanonicalIdentity,
        Migrations.sqliteFailureReason,
    ]
}
