import Actors
import Foundation
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// Configuration is input: the real binary refuses every bad value at start with exit 78
/// naming the variable (an orchestrator does not restart into it), takes unsigned webhooks
/// from loopback only, and says so when PostgreSQL refuses its login.
@Suite(.serialized, .timeLimit(.minutes(2))) struct CommandLineConfigurationTests {
    let fixture: CommandLineFixture
    var directory: URL { self.fixture.directory }
    private var environment: [String: String] { self.fixture.environment }

    init() throws {
        self.fixture = try CommandLineFixture(prefix: "cricalgo-cli-config")
    }

    private func withCricalgo(_ body: (_ start: ([String], [String: String]) throws -> ChildProcess) async throws -> Void) async throws {
        try await self.fixture.withCricalgo(body)
    }

    /// Starts `cricalgo <command>` with `changes` applied to the base environment and expects exit 78 with every one of `named` on standard error.
    private func expectRefusal(_ command: String, _ changes: [String: String], naming named: [String], hiding hidden: String? = nil) async throws {
        var environment = self.environment
        for (name, value) in changes { environment[name] = value }
        try await self.withCricalgo { start in
            let process = try start([command], environment)
            #expect(try await process.waitForExit() == 78, "\(changes): \(process.errors) \(process.logTail())")
            for name in named {
                #expect(process.errors.contains(name), "\(changes): stderr: \(process.errors)")
            }
            if let hidden {
                #expect(!process.errors.contains(hidden) && !process.output.contains(hidden))
            }
        }
    }

    @Test(arguments: [
        ("HOST", "no-such-host.invalid"), ("HOST", "bad host"), ("HOST", "127.0.0.1\u{1B}[2J"), ("DB_POOL_SIZE", "99999999999999999999999"),
        ("JOB_LEASE_SECONDS", "99999999999999999999"), ("INGEST_TIMEOUT_MS", "9223372036854775807"), ("ALLOW_UNSIGNED_WEBHOOKS", "perhaps"),
        ("DATABASE_URL", "postgres://u:pw@db:99999/x"), ("DATABASE_URL", "postgres://u:pw@/x"), ("DATABASE_URL", "postgres://u:pw@db/x\u{7}"),
    ])
    func aBadValueStopsStartUpWithExit78NamingIt(name: String, value: String) async throws {
        // A secret, so that HOST is judged on its own.
        try await self.expectRefusal("serve", ["WEBHOOK_SECRET": "s3cret", name: value], naming: [name])
    }

    @Test(arguments: ["WEBHOOK_SECRET", "ADMIN_TOKEN"], ["", "  \n", "CHANGE_ME", "changeme"])
    func anEmptyOrPlaceholderSecretStopsStartUp(name: String, value: String) async throws {
        try await self.expectRefusal("serve", [name: value], naming: [name])
    }

    @Test(arguments: ["serve", "api"])
    func aNetworkHostWithoutASecretStopsStartUp(command: String) async throws {
        try await self.expectRefusal(command, ["HOST": "0.0.0.0"], naming: ["WEBHOOK_SECRET", "ALLOW_UNSIGNED_WEBHOOKS"])
    }

    @Test func withoutASecretTheServiceListensOnLoopbackAndSaysSo() async throws {
        var environment = self.environment
        environment["HOST"] = nil
        try await self.withCricalgo { start in
            let process = try start(["serve"], environment)
            let port = try await process.waitUntilReady()
            let warning = try #require(process.logEvents("unsigned_webhooks_loopback_only").first)
            #expect(warning["level"] as? String == "warning" && warning["host"] as? String == "127.0.0.1")
            #expect(process.logEvents("ingress_listening").last?["host"] as? String == "127.0.0.1")
            // The operators' smoke request still works from this machine.
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.webhook(#"{"tx_hash":"smoke-test-1","confirmations":12,"amount":"1.0","metadata":{"user_id":"test"}}"#)
            }
            #expect(response.status == .accepted)
            process.send(SIGTERM)
            #expect(try await process.waitForExit() == 0)
        }
    }

    @Test func allowUnsignedWebhooksOpensTheNetworkExplicitly() async throws {
        var environment = self.environment
        environment["HOST"] = "0.0.0.0"
        environment["ALLOW_UNSIGNED_WEBHOOKS"] = "true"
        try await self.withCricalgo { start in
            let process = try start(["api"], environment)
            _ = try await process.waitUntilReady()
            #expect(process.logEvents("unsigned_webhooks_allowed").first?["host"] as? String == "0.0.0.0")
            process.send(SIGTERM)
            #expect(try await process.waitForExit() == 0)
        }
    }

    @Test func aSecretWithATrailingNewlineIsTrimmedAndTheWorkerKeepsEveryInterface() async throws {
        var environment = self.environment
        environment["HOST"] = "0.0.0.0\n"
        environment["WEBHOOK_SECRET"] = "s3cret\n"
        try await self.withCricalgo { start in
            let process = try start(["worker"], environment)
            _ = try await process.waitUntilReady()
            #expect(process.logEvents("ingress_listening").last?["host"] as? String == "0.0.0.0")
            process.send(SIGTERM)
            #expect(try await process.waitForExit() == 0)
        }
    }

    /// An unknown role (SQLSTATE 28000; a wrong password is 28P01) and a missing database
    /// (3D000) are configuration errors: retrying cannot log in.
    @Test(.enabled(if: TestBackend.postgresURL != nil || TestBackend.postgresRequired, "needs CRICALGO_TEST_DATABASE_URL"),
          arguments: ["serve", "migrate", "verify"])
    func aRefusedDatabaseLoginStopsStartUpSayingSo(command: String) async throws {
        let url = try #require(TestBackend.postgresURL, "CRICALGO_REQUIRE_POSTGRES=true but CRICALGO_TEST_DATABASE_URL is unset")
        guard case .postgres(let address) = try DatabaseLocation(url: url), case .tcp(let host, let port) = address.endpoint else {
            Issue.record("CRICALGO_TEST_DATABASE_URL is not a TCP PostgreSQL URL")
            return
        }
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        try await self.expectRefusal(
            command, ["DATABASE_URL": "postgres://no_such_role_\(UUID().uuidString.prefix(8)):hunter2@\(authority)/postgres"],
            naming: ["PostgreSQL refused the login for user", "DATABASE_URL"], hiding: "hunter2"
        )
        try await self.expectRefusal(
            command, ["DATABASE_URL": "postgres://\(address.username)@\(authority)/no_such_database"],
            naming: ["PostgreSQL refused the login", "no_such_database", "DATABASE_URL"]
        )
    }
}
