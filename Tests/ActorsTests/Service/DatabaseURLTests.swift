import Actors
import Foundation
import Logging
import TestSupport
import Testing

/// `DATABASE_URL` is decoded once; IPv6 literals and Unix-socket hosts work; bad URLs are
/// refused without being echoed.
@Suite struct DatabaseURLTests {
    private func address(_ url: String) throws -> DatabaseLocation.PostgresAddress {
        guard case .postgres(let address) = try DatabaseLocation(url: url) else {
            Issue.record("not postgres: \(url)")
            throw ServiceError.invalid("not postgres")
        }
        return address
    }

    @Test func userPasswordAndDatabaseAreDecodedExactlyOnce() throws {
        let address = try self.address("postgres://us%2541r:p%2541ss%40word@db.internal:6543/da%2541ta")
        #expect(address.username == "us%41r")
        #expect(address.password == "p%41ss@word")
        #expect(address.database == "da%41ta")
        #expect(address.endpoint == .tcp(host: "db.internal", port: 6543))
    }

    @Test func anIPv6LiteralLosesItsBrackets() throws {
        #expect(try self.address("postgres://u@[::1]:5432/db").endpoint == .tcp(host: "::1", port: 5432))
        #expect(try self.address("postgresql://u@[fe80::1]/db").endpoint == .tcp(host: "fe80::1", port: 5432))
        #expect("\(try DatabaseLocation(url: "postgres://u@[::1]:5432/db"))" == "postgres://u@[::1]:5432/db")
    }

    @Test func aHostDirectorySelectsTheUnixSocket() throws {
        #expect(try self.address("postgres://u@/db?host=/var/run/postgresql").endpoint == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432"))
        #expect(try self.address("postgres://u@localhost:55432/db?host=%2Ftmp%2Fdevpg").endpoint == .unixSocket(path: "/tmp/devpg/.s.PGSQL.55432"))
        #expect(try self.address("postgres://u@%2Ftmp%2Fdevpg:55432/db").endpoint == .unixSocket(path: "/tmp/devpg/.s.PGSQL.55432"))
        let address = try self.address("postgres://u:pw@/db?host=/tmp/devpg/")
        #expect(address.endpoint == .unixSocket(path: "/tmp/devpg/.s.PGSQL.5432") && address.password == "pw" && address.database == "db")
    }

    @Test(arguments: [
        "postgres://u:secret-pw@db:abc/x", "postgres://u:secret-pw@db:0/x", "postgres://u:secret-pw@db:70000/x",
        "postgres://u:secret-pw@/x", "postgres://u:secret-pw@:5432/x", "postgres://u:secret-pw@db/x\n",
        "postgres://u:secret-pw\t@db/x", "postgres://u:secret-pw@db/x%00y", "postgres://u%0A:secret-pw@db/x",
        "postgres://u:secret-pw@db/x?host=relative/dir", "postgres://u:secret-pw@db/x?sslmode=sometimes",
        "postgres://u:secret-pw@db/x?host=%0A", "postgres://u:secret-pw@db/x?host=",
    ])
    func aMalformedURLIsRefusedNamingTheVariableWithoutEchoingIt(url: String) {
        do {
            let location = try DatabaseLocation(url: url)
            Issue.record("accepted as \(location)")
        } catch {
            #expect(error.message.contains("DATABASE_URL"), "\(error)")
            #expect(!error.message.contains("secret-pw"), "\(error)")
        }
    }

    /// The dev and CI clusters listen on a socket directory too (`ops/test.sh` exports
    /// `CRICALGO_TEST_PG_SOCKET_DIR`); a query over the socket proves the path is right.
    @Test(.enabled(if: Self.socketDirectory != nil || TestBackend.postgresRequired, "needs CRICALGO_TEST_PG_SOCKET_DIR"))
    func connectsOverTheUnixSocket() async throws {
        let directory = try #require(Self.socketDirectory, "CRICALGO_REQUIRE_POSTGRES=true but CRICALGO_TEST_PG_SOCKET_DIR is unset")
        let tcp = try self.address(try #require(TestBackend.postgresURL, "CRICALGO_TEST_DATABASE_URL is unset"))
        let escaped = try #require(directory.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let address = try self.address(
            "postgres://\(tcp.username)@localhost:\(tcp.port)/\(tcp.database ?? "postgres")?host=\(escaped)"
        )
        #expect(address.endpoint == .unixSocket(path: "\(directory)/.s.PGSQL.\(tcp.port)"))
        let factory = try PostgresConnectionFactory(address: address, logger: Logger(label: "test"))
        let connection = try await factory.connect()
        #expect(await factory.validate(connection))
        await factory.close(connection)
    }

    static var socketDirectory: String? {
        ProcessInfo.processInfo.environment["CRICALGO_TEST_PG_SOCKET_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
