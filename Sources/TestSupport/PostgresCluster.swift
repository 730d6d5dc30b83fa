import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL cluster of a test's own, for tests that stop and start the database (the
/// shared test cluster of `ops/test.sh` stays untouched).
///
/// `initdb` into a temporary directory; the server listens on 127.0.0.1 at a free port, with
/// fsync on so a commit means what it means in production. The postmaster runs in the
/// foreground as the test's child (not daemonised by `pg_ctl start`), so the test sees it
/// exit. When the tests run as root, PostgreSQL's programs run as the `postgres` user.
public final class PostgresCluster: Sendable {
    /// The directory holding `data/`, the server log and the socket.
    public let directory: URL
    public let port: Int
    private let binaries: URL
    private let postmaster = Mutex<ChildProcess?>(nil)

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
            let initdb = cluster.command("initdb", ["-D", cluster.dataPath, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
            try await ExternalCommand.check(initdb.executable, initdb.arguments)
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

    /// Starts the postmaster and waits (polling `pg_isready` every 100 ms, 60 s at most) until
    /// it accepts connections.
    public func start() async throws {
        let postgres = self.command("postgres", [
            "-D", self.dataPath, "-c", "listen_addresses=127.0.0.1", "-p", "\(self.port)",
            "-c", "unix_socket_directories=\(self.directory.path)", "-c", "max_connections=200",
        ])
        let process = try ChildProcess(
            name: "postgres", executable: URL(fileURLWithPath: postgres.executable), arguments: postgres.arguments,
            environment: ProcessInfo.processInfo.environment, logURL: self.directory.appendingPathComponent("server.log")
        )
        self.postmaster.withLock { $0 = process }
        let ready = self.command("pg_isready", ["-h", "127.0.0.1", "-p", "\(self.port)", "-q"])
        let accepting = try await Poll.until(every: .milliseconds(100), within: .seconds(60)) {
            if let status = process.exitStatus {
                throw ChildProcess.Failure.exitedEarly(name: "postgres", status: status, log: process.logTail())
            }
            return try await ExternalCommand.run(ready.executable, ready.arguments).status == 0
        }
        if !accepting { throw ChildProcess.Failure.notReady(name: "postgres", log: process.logTail()) }
    }

    /// `pg_ctl stop -m <mode>` and waits for the postmaster to exit: `fast` disconnects every
    /// client and shuts down cleanly; `immediate` is a crash.
    public func stop(mode: String = "fast") async throws {
        let stop = self.command("pg_ctl", ["-D", self.dataPath, "-m", mode, "-w", "-t", "60", "stop"])
        try await ExternalCommand.check(stop.executable, stop.arguments)
        let process = self.postmaster.withLock { state -> ChildProcess? in
            defer { state = nil }
            return state
        }
        try await process?.waitForExit()
    }

    /// Stops the server at once and removes its files.
    public func destroy() async {
        let process = self.postmaster.withLock { state -> ChildProcess? in
            defer { state = nil }
            return state
        }
        if let process {
            process.send(SIGQUIT)
            _ = try? await process.waitForExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    private var dataPath: String { self.directory.appendingPathComponent("data").path }

    private static var isRoot: Bool { getuid() == 0 }

    /// A PostgreSQL program, run as `postgres` when the tests run as root (`setpriv` execs
    /// in place, so signals reach the program itself).
    private func command(_ name: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        let path = self.binaries.appendingPathComponent(name).path
        guard Self.isRoot else { return (path, arguments) }
        return ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", path] + arguments)
    }
}
