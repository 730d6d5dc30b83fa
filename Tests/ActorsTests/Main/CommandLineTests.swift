import Actors
import Foundation
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The `cricalgo` executable itself: configuration errors, a served request, SIGTERM, and
/// the maintenance commands. Uses the embedded SQLite store in a temporary directory.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CommandLineTests {
    let fixture: CommandLineFixture
    var directory: URL { self.fixture.directory }
    private var environment: [String: String] { self.fixture.environment }

    init() throws {
        self.fixture = try CommandLineFixture(prefix: "cricalgo-cli")
    }

    private func withCricalgo(_ body: (_ start: ([String], [String: String]) throws -> ChildProcess) async throws -> Void) async throws {
        try await self.fixture.withCricalgo(body)
    }

    @Test func theBinaryIsBuilt() throws {
        let binary = try ChildProcess.binary()
        #expect(FileManager.default.isExecutableFile(atPath: binary.path))
    }

    @Test(arguments: [("PORT", "eighty"), ("WORKER_CONCURRENCY", "0"), ("LOG_FORMAT", "xml"), ("LOG_LEVEL", "loud"), ("DATABASE_URL", "redis://x"),
                       ("DATABASE_URL", "sqlite://:memory:")])
    func aBadValueStopsStartUpNamingTheVariable(name: String, value: String) async throws {
        var environment = self.environment
        environment[name] = value
        try await self.withCricalgo { start in
            let process = try start(["serve"], environment)
            #expect(try await process.waitForExit() == 78)
            #expect(process.errors.contains(name), "stderr: \(process.errors)")
        }
    }

    @Test func servesTheSmokeRequestAndStopsInOrderOnSIGTERM() async throws {
        try await self.withCricalgo { start in
            let process = try start(["serve"], self.environment)
            let port = try await process.waitUntilReady()
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.webhook(#"{"tx_hash":"smoke-test-1","confirmations":12,"amount":"1.0","metadata":{"user_id":"test"}}"#)
            }
            #expect(response.status == .accepted)
            try await process.waitForEvent("deposit_task_completed")
            process.send(SIGTERM)
            #expect(try await process.waitForExit() == 0)
            let output = process.output
            // Ingress stops before the workers, the pool closes after them.
            let ingress = try #require(output.range(of: "\"ingress_stopped\""))
            let pool = try #require(output.range(of: "\"pool.closed\""))
            #expect(ingress.lowerBound < pool.lowerBound)
            #expect(output.contains("\"service_stopped\""))
            #expect(FileManager.default.fileExists(atPath: self.directory.appendingPathComponent("data/cricalgo.sqlite").path))
            // Every log line is one JSON object.
            for line in output.split(separator: "\n") {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
            }
        }
    }

    @Test func migrateAndVerifyReportOnTheStore() async throws {
        try await self.withCricalgo { start in
            let migrate = try start(["migrate"], self.environment)
            #expect(try await migrate.waitForExit() == 0)
            #expect(migrate.output.contains("applied migrations 1"))
            let again = try start(["migrate"], self.environment)
            #expect(try await again.waitForExit() == 0)
            #expect(again.output.contains("schema up to date"))

            let clean = try start(["verify"], self.environment)
            #expect(try await clean.waitForExit() == 0)
            #expect(clean.output.contains("ok: every invariant holds"))

            // A credited deposit without its ledger entry is a violation verify must name.
            let database = try await TestDatabase.sqliteFile(self.directory.appendingPathComponent("data/cricalgo.sqlite").path)
            try await database.execute("""
                INSERT INTO transactions (id, chain, tx_hash, log_index, amount, currency, confirmations, chain_status, state, created_at, updated_at)
                VALUES ('00000000-0000-0000-0000-000000000001', 'bep20', 'forged', 0, '5', 'USDT', 12, 'confirmed', 'credited', 0, 0)
                """)
            let broken = try start(["verify", "--json"], self.environment)
            #expect(try await broken.waitForExit() == 1)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.output.utf8)) as? [String: Any])
            #expect(report["ok"] as? Bool == false)
            let violations = try #require(report["violations"] as? [[String: Any]])
            #expect(violations.first?["kind"] as? String == "credited_without_ledger_entry")
            #expect(violations.first?["subject"] as? String == "00000000-0000-0000-0000-000000000001")
        }
    }

    @Test func verifyInADirectoryWithoutADatabaseFailsAndCreatesNothing() async throws {
        try await self.withCricalgo { start in
            let verify = try start(["verify"], self.environment)
            #expect(try await verify.waitForExit() == 1)
            #expect(verify.errors.contains("no SQLite database at ./data/cricalgo.sqlite"), "stderr: \(verify.errors)")
            #expect(!verify.output.contains("ok"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: self.directory.path).filter { !$0.hasPrefix(".") }.isEmpty)
        }
    }

    @Test func aSchemaNewerThanTheBinaryIsRefusedByEveryCommand() async throws {
        try await self.withCricalgo { start in
            let migrate = try start(["migrate"], self.environment)
            #expect(try await migrate.waitForExit() == 0)
            let database = try await TestDatabase.sqliteFile(self.directory.appendingPathComponent("data/cricalgo.sqlite").path)
            let latest = try await database.rows("SELECT max(version) FROM schema_migrations").first?.first.flatMap { $0.flatMap { Int($0) } }
            let known = try #require(latest)
            try await database.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(known + 1), 'newer', 0)")
            let message = "database schema version \(known + 1) is newer than this binary knows (\(known))"
            for command in [["migrate"], ["verify"]] {
                let process = try start(command, self.environment)
                #expect(try await process.waitForExit() == 1, "\(command)")
                #expect(process.errors.contains(message), "\(command) stderr: \(process.errors)")
            }
            let serve = try start(["serve"], self.environment)
            #expect(try await serve.waitForExit() == 1)
            #expect(serve.output.contains(message), "serve log: \(serve.logTail())")
            #expect(serve.output.contains("\"service_failed\""))
        }
    }

    /// `cricalgo migrate` three times at once on a new file, round after round: all exit 0
    /// and the schema is applied once.
    @Test func concurrentMigrateCommandsOnANewFileAllSucceed() async throws {
        try await self.withCricalgo { start in
            for round in 0..<4 {
                var environment = self.environment
                environment["DATABASE_URL"] = "sqlite://\(self.directory.appendingPathComponent("round-\(round)/cricalgo.sqlite").path)"
                let processes = try (0..<3).map { _ in try start(["migrate"], environment) }
                var statuses: [Int32] = []
                for process in processes {
                    statuses.append(try await process.waitForExit())
                }
                #expect(statuses == [0, 0, 0], "round \(round): \(processes.map(\.errors))")
                let database = try await TestDatabase.sqliteFile(self.directory.appendingPathComponent("round-\(round)/cricalgo.sqlite").path)
                let versions = try await database.rows("SELECT count(*), count(DISTINCT version) FROM schema_migrations")
                #expect(versions.first?[0] == versions.first?[1], "round \(round)")
                #expect(versions.first?[0] != "0", "round \(round)")
            }
        }
    }
}
