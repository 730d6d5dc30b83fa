import Foundation
import Logging
import NIOSSL
import PostgresNIO
import Runtime
import Synchronization

/// Opens PostgreSQL connections for the ``PoolActor``.
public final class PostgresConnectionFactory: ConnectionFactory {
    public typealias Connection = PostgresConnection

    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let nextID = Atomic<Int>(0)
    /// The bounds every session opened here runs under.
    public let session: PostgresSessionSettings

    public init(address: DatabaseLocation.PostgresAddress, session: PostgresSessionSettings = .init(), logger: Logger) throws {
        var configuration = try Self.configuration(for: address)
        // `application_name` names the process in `pg_stat_activity` (which process holds a
        // lock, runs a slow query or sits in a transaction).
        configuration.options.additionalStartupParameters = session.startupParameters + [("application_name", Self.applicationName)]
        self.configuration = configuration
        self.session = session
        self.logger = logger
    }

    /// `cricalgo/<process id>`.
    public static let applicationName = "cricalgo/\(ProcessInfo.processInfo.processIdentifier)"

    /// The connection settings for `address`: TCP (with its TLS mode) or a Unix socket.
    public static func configuration(for address: DatabaseLocation.PostgresAddress) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch address.endpoint {
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            switch address.tls {
            case .disable:
                tls = .disable
            case .prefer:
                tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            configuration = PostgresConnection.Configuration(
                host: host, port: port, username: address.username, password: address.password, database: address.database, tls: tls
            )
        case .unixSocket(let path):
            configuration = PostgresConnection.Configuration(
                unixSocketPath: path, username: address.username, password: address.password, database: address.database
            )
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    public func connect() async throws -> PostgresConnection {
        let id = self.nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let connection = try await PostgresConnection.connect(configuration: self.configuration, id: id, logger: self.logger)
        await self.checkClientConnection(connection)
        return connection
    }

    /// Asks the server (PostgreSQL 14 and later) to check every second, while a query runs,
    /// that the client is still there. Without it a backend whose client closed the
    /// connection while it waited for a lock would go on waiting, holding its place in the
    /// lock queue, until the lock came free or `lock_timeout` passed. Older servers do not
    /// know the setting (it cannot be a startup parameter: they would refuse the login), so
    /// a refusal here is ignored.
    private func checkClientConnection(_ connection: PostgresConnection) async {
        do {
            try await connection.query("SET client_connection_check_interval = 1000", logger: self.logger)
        } catch {
            self.logger.debug("client_connection_check_unavailable", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    public func validate(_ connection: PostgresConnection) async -> Bool {
        guard !connection.isClosed else { return false }
        do {
            try await connection.query("SELECT 1", logger: self.logger)
            return true
        } catch {
            return false
        }
    }

    public func isReusable(_ connection: PostgresConnection) -> Bool {
        !connection.isClosed
    }

    public func close(_ connection: PostgresConnection) async {
        try? await connection.close()
    }

    /// A connection outside the pool, for LISTEN (it stays busy as long as it listens).
    public func connectDedicated() async throws -> PostgresConnection {
        try await self.connect()
    }
}
