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

    public init(address: DatabaseLocation.PostgresAddress, logger: Logger) throws {
        let tls: PostgresConnection.Configuration.TLS
        switch address.tls {
        case .disable:
            tls = .disable
        case .prefer:
            tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: address.host,
            port: address.port,
            username: address.username,
            password: address.password,
            database: address.database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(5)
        self.configuration = configuration
        self.logger = logger
    }

    public func connect() async throws -> PostgresConnection {
        let id = self.nextID.wrappingAdd(1, ordering: .relaxed).newValue
        return try await PostgresConnection.connect(configuration: self.configuration, id: id, logger: self.logger)
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

    public func close(_ connection: PostgresConnection) async {
        try? await connection.close()
    }

    /// A connection outside the pool, for LISTEN (it stays busy as long as it listens).
    public func connectDedicated() async throws -> PostgresConnection {
        try await self.connect()
    }
}
