import Actors
import Foundation
import Logging
import Runtime
import TestSupport
import Testing

/// Every PostgreSQL session runs under the configured timeouts and keepalives.
@Suite struct PostgresSessionSettingsTests {
    static func configuration(_ values: [String: String]) throws -> ServiceConfiguration {
        try ServiceConfiguration(environment: EnvironmentReader(values, secretNames: ServiceConfiguration.secretVariables), mode: .serve)
    }

    @Test func defaultsAndVariablesAreReadAndValidated() throws {
        #expect(try Self.configuration([:]).postgresSession == PostgresSessionSettings(
            statementTimeout: .seconds(30), lockTimeout: .seconds(10), idleInTransactionTimeout: .seconds(60), tcpKeepalive: .seconds(30)
        ))
        let set = try Self.configuration([
            "DB_STATEMENT_TIMEOUT_MS": "1500", "DB_LOCK_TIMEOUT_MS": "0", "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": "2000",
            "DB_TCP_KEEPALIVE_SECONDS": "9",
        ]).postgresSession
        #expect(set == PostgresSessionSettings(
            statementTimeout: .milliseconds(1500), lockTimeout: .zero, idleInTransactionTimeout: .seconds(2), tcpKeepalive: .seconds(9)
        ))
        let parameters = Dictionary(uniqueKeysWithValues: set.startupParameters)
        #expect(parameters == [
            "statement_timeout": "1500", "lock_timeout": "0", "idle_in_transaction_session_timeout": "2000",
            "tcp_keepalives_idle": "9", "tcp_keepalives_interval": "3", "tcp_keepalives_count": "3",
        ])
        for name in ["DB_STATEMENT_TIMEOUT_MS", "DB_LOCK_TIMEOUT_MS", "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "DB_TCP_KEEPALIVE_SECONDS"] {
            #expect(ServiceConfiguration.variables.contains(name))
            for bad in ["-1", "soon", "1e3", "99999999999"] {
                #expect(throws: RuntimeError.self, "\(name)=\(bad)") { try Self.configuration([name: bad]) }
            }
        }
    }

    @Test(.enabled(if: TestBackend.available.contains(.postgres), "needs CRICALGO_TEST_DATABASE_URL"))
    func aStoreSessionRunsUnderTheConfiguredBounds() async throws {
        try await TestDatabase.with(.postgres) { database in
            guard case .postgres(let address) = database.location else { return }
            let settings = PostgresSessionSettings(
                statementTimeout: .milliseconds(4321), lockTimeout: .milliseconds(1234), idleInTransactionTimeout: .seconds(56), tcpKeepalive: .seconds(12)
            )
            let factory = try PostgresConnectionFactory(address: address, session: settings, logger: Logger(label: "test-session"))
            let connection = try await factory.connect()
            var shown: [String] = []
            for name in ["statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "tcp_keepalives_idle",
                         "tcp_keepalives_interval", "tcp_keepalives_count", "client_connection_check_interval"] {
                for try await value in try await connection.query("SELECT current_setting(\(name))", logger: Logger(label: "test-session"))
                    .decode(String.self) {
                    shown.append(value)
                }
            }
            await factory.close(connection)
            #expect(shown == ["4321ms", "1234ms", "56s", "12", "4", "3", "1s"])
        }
    }
}
