import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL cluster of a test's own, for tests that stop and start the database (the
/// shared test cluster of `ops/test.sh` stays untouched).
///
/// `initdb` into a temporary directory, listening on 127.0.0.1 at a free port, with fsync on
/// so a commit means what it means in production. When the tests run as root, every
/// PostgreSQL program runs as the `postgres` user through `runuser`.
public final class PostgresCluster: Sendable {
    /// The directory holding `data/`, the server log and the socket.
    public let directory: URL
    public let port: Int
    private let binaries: URL

    /// Where PostgreSQL's programs are: `$CRICALGO_TEST_PG_BIN`, else `/usr/lib/postgresql/15/bin`;
    /// nil when `initdb` is not there.
    public static var binaries: URL? {
        let path = ProcessInfo.processInfo.environment["CRICALGO_TEST_PG_BIN"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/lib/postgresql/15/bin"
        return FileManager.default.isExecutableFile(atPath: path + "/initdb") ? URL(fileURLWithPath: path) : nil
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`
    public var url: String { "postgres://postgres@127.0.0.1:\(self.port)/postgres" }

    private init(directory: URL, port: Int, binaries: URL) {
        self.directory = directory
        self.port = port
        self.binaries = binaries
    }

    /// Creates and starts a cluster.
    public static func create() async throws -> PostgresCluster {
        guard let binaries = Self.binaries else {
            throw ExternalCommand.Failure(command: "initdb", status: -1, output: "PostgreSQL programs not found; set CRICALGO_TEST_PG_BIN")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-chaos-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        if Self.isRoot {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
        }
        let cluster = PostgresCluster(directory: directory, port: try ExternalCommand.freeLoopbackPort(), binaries: binaries)
        do {
            try await cluster.postgres("initdb", ["-D", cluster.dataPath, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
            try await cluster.start()
        } catch {
            await cluster.destroy()
            throw error
        }
        return cluster
    }

    /// Runs `body` with a fresh cluster that is destroyed afterwards, whatever happens.
    public static func with<Result>(_ body: (PostgresCluster) async throws -> Result) async throws -> Result {
        let cluster = try await PostgresCluster.create()
        do {
            let result = try await body(cluster)
            await cluster.destroy()
            return result
        } catch {
            await cluster.destroy()
            throw error
        }
    }

    /// Starts the server and waits until it accepts connections.
    public func start() async throws {
        let options = "-c listen_addresses=127.0.0.1 -p \(self.port) -k \(self.directory.path) -c max_connections=200"
        try await self.postgres("pg_ctl", ["-D", self.dataPath, "-l", self.directory.appendingPathComponent("server.log").path, "-w", "-t", "60", "-o", options, "start"])
    }

    /// `pg_ctl stop -m <mode>`: `fast` disconnects every client and shuts down cleanly;
    /// `immediate` is a crash.
    public func stop(mode: String = "fast") async throws {
        try await self.postgres("pg_ctl", ["-D", self.dataPath, "-m", mode, "-w", "-t", "60", "stop"])
    }

    /// Stops the server (immediately) and removes its files.
    public func destroy() async {
        _ = try? await ExternalCommand.run(self.program("pg_ctl").executable, self.program("pg_ctl").arguments + ["-D", self.dataPath, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: self.directory)
    }

    private var dataPath: String { self.directory.appendingPathComponent("data").path }

    private static var isRoot: Bool { getuid() == 0 }

    private func program(_ name: String) -> (executable: String, arguments: [String]) {
        let path = self.binaries.appendingPathComponent(name).path
        return Self.isRoot ? ("/usr/sbin/runuser", ["-u", "postgres", "--", path]) : (path, [])
    }

    @discardableResult
    private func postgres(_ name: String, _ arguments: [String]) async throws -> String {
        let program = self.program(name)
        return try await ExternalCommand.check(program.executable, program.arguments + arguments)
    }
}
