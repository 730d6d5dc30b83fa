import Actors
import Foundation
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The `cricalgo` executable itself: configuration errors, a served request, SIGTERM, and
/// the maintenance commands. Uses the embedded SQLite store in a temporary directory.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CommandLineTests {
    let directory: URL

    init() throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("cricalgo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    private var environment: [String: String] {
        ["HOST": "127.0.0.1", "PORT": "0", "LOG_FORMAT": "json", "ADMIN_TOKEN": RunningService.adminToken, "WORKER_CONCURRENCY": "2"]
    }

    @Test func theBinaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: ServiceProcess.binary.path), "run `swift build` first")
    }

    @Test(arguments: [("PORT", "eighty"), ("WORKER_CONCURRENCY", "0"), ("LOG_FORMAT", "xml"), ("LOG_LEVEL", "loud"), ("DATABASE_URL", "redis://x")])
    func aBadValueStopsStartUpNamingTheVariable(name: String, value: String) async throws {
        var environment = self.environment
        environment[name] = value
        let process = try ServiceProcess(["serve"], environment: environment, directory: self.directory)
        #expect(await process.exitCode() == 78)
        #expect(process.errors.contains(name), "stderr: \(process.errors)")
    }

    @Test func servesTheSmokeRequestAndStopsInOrderOnSIGTERM() async throws {
        let process = try ServiceProcess(["serve"], environment: self.environment, directory: self.directory)
        let port = try #require(await process.listeningPort())
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.webhook(#"{"tx_hash":"smoke-test-1","confirmations":12,"amount":"1.0","metadata":{"user_id":"test"}}"#)
        }
        #expect(response.status == .accepted)
        #expect(await process.line(containing: "\"deposit_task_completed\"") != nil)
        process.send(SIGTERM)
        #expect(await process.exitCode() == 0)
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

    @Test func migrateAndVerifyReportOnTheStore() async throws {
        let migrate = try ServiceProcess(["migrate"], environment: self.environment, directory: self.directory)
        #expect(await migrate.exitCode() == 0)
        #expect(migrate.output.contains("applied migrations 1"))
        let again = try ServiceProcess(["migrate"], environment: self.environment, directory: self.directory)
        #expect(await again.exitCode() == 0)
        #expect(again.output.contains("schema up to date"))

        let clean = try ServiceProcess(["verify"], environment: self.environment, directory: self.directory)
        #expect(await clean.exitCode() == 0)
        #expect(clean.output.contains("ok: every invariant holds"))

        // A credited deposit without its ledger entry is a violation verify must name.
        let database = try await TestDatabase.sqliteFile(self.directory.appendingPathComponent("data/cricalgo.sqlite").path)
        try await database.execute("""
            INSERT INTO transactions (id, chain, tx_hash, log_index, amount, currency, confirmations, chain_status, state, created_at, updated_at)
            VALUES ('00000000-0000-0000-0000-000000000001', 'bep20', 'forged', 0, '5', 'USDT', 12, 'confirmed', 'credited', 0, 0)
            """)
        let broken = try ServiceProcess(["verify", "--json"], environment: self.environment, directory: self.directory)
        #expect(await broken.exitCode() == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.output.utf8)) as? [String: Any])
        #expect(report["ok"] as? Bool == false)
        let violations = try #require(report["violations"] as? [[String: Any]])
        #expect(violations.first?["kind"] as? String == "credited_without_ledger_entry")
        #expect(violations.first?["subject"] as? String == "00000000-0000-0000-0000-000000000001")
    }
}
