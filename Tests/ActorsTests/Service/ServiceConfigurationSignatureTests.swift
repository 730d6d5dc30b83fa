import Actors
import Foundation
import Runtime
import Testing

/// Without a webhook secret the service takes unsigned webhooks from loopback only.
@Suite struct ServiceConfigurationSignatureTests {
    private func configuration(_ values: [String: String], mode: ServiceConfiguration.Mode = .serve) throws -> ServiceConfiguration {
        try ServiceConfiguration(environment: EnvironmentReader(values, secretNames: ServiceConfiguration.secretVariables), mode: mode)
    }

    private func refusal(_ values: [String: String], mode: ServiceConfiguration.Mode = .serve) -> String {
        do {
            _ = try self.configuration(values, mode: mode)
            Issue.record("\(values) was accepted")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [ServiceConfiguration.Mode.serve, .api])
    func withoutASecretTheDefaultHostIsLoopback(mode: ServiceConfiguration.Mode) throws {
        let configuration = try self.configuration([:], mode: mode)
        #expect(configuration.ingress.host == "127.0.0.1")
        #expect(configuration.acceptsUnsignedWebhooks)
    }

    @Test func withASecretOrAnExplicitAllowanceTheDefaultHostIsEveryInterface() throws {
        #expect(try self.configuration(["WEBHOOK_SECRET": "s3cret"]).ingress.host == "0.0.0.0")
        let allowed = try self.configuration(["ALLOW_UNSIGNED_WEBHOOKS": "true"])
        #expect(allowed.ingress.host == "0.0.0.0" && allowed.allowUnsignedWebhooks && allowed.acceptsUnsignedWebhooks)
        #expect(try self.configuration(["ALLOW_UNSIGNED_WEBHOOKS": "true", "HOST": "10.0.0.5"]).ingress.host == "10.0.0.5")
    }

    @Test func theWorkerModeServesNoWebhooksAndKeepsEveryInterface() throws {
        let configuration = try self.configuration([:], mode: .worker)
        #expect(configuration.ingress.host == "0.0.0.0")
        #expect(!configuration.acceptsUnsignedWebhooks)
        #expect(try self.configuration(["HOST": "0.0.0.0"], mode: .worker).ingress.host == "0.0.0.0")
    }

    @Test(arguments: ["0.0.0.0", "::", "10.1.2.3", "db.internal", "::ffff:10.0.0.1"])
    func anExplicitNetworkHostWithoutASecretIsRefused(host: String) {
        for mode in [ServiceConfiguration.Mode.serve, .api] {
            let message = self.refusal(["HOST": host], mode: mode)
            #expect(message.contains("WEBHOOK_SECRET") && message.contains("ALLOW_UNSIGNED_WEBHOOKS"), "\(message)")
        }
        #expect(self.refusal(["HOST": host, "ALLOW_UNSIGNED_WEBHOOKS": "false"]).contains("ALLOW_UNSIGNED_WEBHOOKS"))
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LOCALHOST."])
    func anExplicitLoopbackHostWithoutASecretIsAccepted(host: String) throws {
        #expect(try self.configuration(["HOST": host]).ingress.host == host)
    }

    @Test(arguments: ["WEBHOOK_SECRET", "ADMIN_TOKEN"], ["", " ", "\n", "CHANGE_ME", "change_me_to_a_long_random_string", "ChangeMe", "changeme123"])
    func anEmptyOrPlaceholderCredentialIsRefusedNamingIt(name: String, value: String) {
        let message = self.refusal([name: value, "HOST": "127.0.0.1"])
        #expect(message.contains(name), "\(message)")
        if !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            #expect(!message.contains(value), "the placeholder is a secret variable's value: \(message)")
        }
    }

    @Test func aSecretFromAFileLosesItsTrailingNewline() throws {
        let configuration = try self.configuration(["WEBHOOK_SECRET": "s3cret\n", "ADMIN_TOKEN": " token \r\n", "HOST": "0.0.0.0\n"])
        #expect(configuration.ingress.webhookSecret == "s3cret")
        #expect(configuration.ingress.adminToken == "token")
        #expect(configuration.ingress.host == "0.0.0.0")
    }

    @Test func allowUnsignedWebhooksIsADocumentedVariable() {
        #expect(ServiceConfiguration.variables.contains("ALLOW_UNSIGNED_WEBHOOKS"))
        #expect(ServiceConfiguration.secretVariables == ["WEBHOOK_SECRET", "ADMIN_TOKEN", "DATABASE_URL"])
    }

    @Test(arguments: ["127.0.0.1", "::1", "localhost"])
    func aHostThatResolvesPassesTheStartCheck(host: String) throws {
        try self.configuration(["HOST": host]).checkHostResolves()
    }

    @Test func aHostNameThatDoesNotResolveIsRefusedNamingHOST() throws {
        // `.invalid` is reserved (RFC 2606) and never resolves.
        let configuration = try self.configuration(["HOST": "no-such-host.invalid", "WEBHOOK_SECRET": "s3cret"])
        do {
            try configuration.checkHostResolves()
            Issue.record("resolved")
        } catch {
            #expect("\(error)".contains("HOST"), "\(error)")
        }
    }

    @Test(arguments: ["-leading.example", "a..b", "under_score", "[::1]", "1.2.3.4:80", String(repeating: "a", count: 64) + ".com", "h\u{7}"])
    func aMalformedHostIsRefusedNamingHOST(host: String) {
        #expect(self.refusal(["HOST": host, "WEBHOOK_SECRET": "s3cret"]).contains("HOST"))
    }
}
