/// Bounds on how long a PostgreSQL session may wait, applied to every connection the store
/// opens, so no worker, commit slot or shutdown waits for ever on the database.
///
/// | setting | variable | default | 0 means |
/// |---|---|---|---|
/// | `statement_timeout` | `DB_STATEMENT_TIMEOUT_MS` | 30 s | no limit |
/// | `lock_timeout` | `DB_LOCK_TIMEOUT_MS` | 10 s | no limit |
/// | `idle_in_transaction_session_timeout` | `DB_IDLE_IN_TRANSACTION_TIMEOUT_MS` | 60 s | no limit |
/// | `tcp_keepalives_idle` (interval idle/3, 3 probes) | `DB_TCP_KEEPALIVE_SECONDS` | 30 s | the server's default |
///
/// The timeouts are enforced by the server. postgres-nio 1.33 builds its own NIO bootstrap
/// and offers no hook for socket options on the client's socket, so keepalives are the
/// server's (`tcp_keepalives_*` startup parameters apply to the session's socket on the
/// server side, which then ends a backend whose client vanished and releases its locks). On
/// the client side, a query that gets no answer within ``clientDeadline`` has its connection
/// closed (see ``PostgresSession``), which covers a half-open connection.
public struct PostgresSessionSettings: Sendable, Hashable {
    public var statementTimeout: Duration
    public var lockTimeout: Duration
    public var idleInTransactionTimeout: Duration
    public var tcpKeepalive: Duration
    /// Every transaction of the session is read-only (`default_transaction_read_only`): for
    /// commands that must not change the store, such as `verify`. Default false.
    public var readOnly: Bool = false

    public init(
        statementTimeout: Duration = .seconds(30),
        lockTimeout: Duration = .seconds(10),
        idleInTransactionTimeout: Duration = .seconds(60),
        tcpKeepalive: Duration = .seconds(30)
    ) {
        self.statementTimeout = statementTimeout
        self.lockTimeout = lockTimeout
        self.idleInTransactionTimeout = idleInTransactionTimeout
        self.tcpKeepalive = tcpKeepalive
    }

    /// The startup parameters that set these bounds for the session.
    public var startupParameters: [(String, String)] {
        var parameters = [
            ("statement_timeout", "\(Self.milliseconds(self.statementTimeout))"),
            ("lock_timeout", "\(Self.milliseconds(self.lockTimeout))"),
            ("idle_in_transaction_session_timeout", "\(Self.milliseconds(self.idleInTransactionTimeout))"),
        ]
        let idle = Self.milliseconds(self.tcpKeepalive) / 1000
        if idle > 0 {
            parameters += [
                ("tcp_keepalives_idle", "\(idle)"),
                ("tcp_keepalives_interval", "\(max(1, idle / 3))"),
                ("tcp_keepalives_count", "3"),
            ]
        }
        if self.readOnly { parameters.append(("default_transaction_read_only", "on")) }
        return parameters
    }

    /// How long the client waits for one query's first answer before it closes the
    /// connection: the statement timeout plus the time keepalives take to notice a dead
    /// peer, plus a margin. Nil when the statement timeout is off (cancellation still
    /// closes the connection).
    public var clientDeadline: Duration? {
        guard self.statementTimeout > .zero else { return nil }
        let keepalive = self.tcpKeepalive > .zero ? self.tcpKeepalive * 2 : .seconds(60)
        return self.statementTimeout + keepalive + .seconds(5)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
