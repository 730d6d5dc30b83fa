import Actors
import Runtime
import Testing

@Suite struct ServiceConfigurationTests {
    private func configuration(_ values: [String: String], mode: ServiceConfiguration.Mode = .serve) throws -> ServiceConfiguration {
        try ServiceConfiguration(environment: EnvironmentReader(values, secretNames: ServiceConfiguration.secretVariables), mode: mode)
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let configuration = try self.configuration([:])
        #expect(configuration.database == .sqlite(path: "./data/cricalgo.sqlite"))
        // No WEBHOOK_SECRET: loopback only.
        #expect(configuration.ingress.host == "127.0.0.1")
        #expect(configuration.allowUnsignedWebhooks == false)
        #expect(configuration.ingress.port == 8000)
        #expect(configuration.poolSize == 20)
        #expect(configuration.poolMaxOverflow == 30)
        #expect(configuration.poolTimeout == .seconds(30))
        #expect(configuration.workerConcurrency == 8)
        #expect(configuration.confirmationThreshold == 12)
        #expect(configuration.ingress.maximumBodyBytes == 65_536)
        #expect(configuration.ingress.webhookSecret == nil)
        #expect(configuration.ingress.adminToken == nil)
        #expect(configuration.ingress.signatureTolerance == .seconds(300))
        #expect(configuration.ingress.chaosEnabled == false)
        #expect(configuration.worker.lease == .seconds(15))
        #expect(configuration.worker.maximumAttempts == 5)
    }

    @Test func readsEveryVariable() throws {
        let configuration = try self.configuration([
            "HOST": "127.0.0.1", "PORT": "9000", "DATABASE_URL": "postgresql+asyncpg://app:p%40ss@db.internal:6543/cricalgo?sslmode=disable",
            "DB_POOL_SIZE": "5", "DB_MAX_OVERFLOW": "0", "DB_POOL_TIMEOUT": "2.5", "CELERY_WORKER_CONCURRENCY": "3",
            "CONFIRMATION_THRESHOLD": "20", "WEBHOOK_SECRET": "s", "WEBHOOK_TOLERANCE_SECONDS": "60", "ADMIN_TOKEN": "t",
            "MAX_BODY_BYTES": "1024", "INGEST_TIMEOUT_MS": "250", "JOB_LEASE_SECONDS": "9", "JOB_MAX_ATTEMPTS": "2",
            "SUPERVISOR_MAX_RESTARTS": "4", "SUPERVISOR_RESTART_WINDOW": "30", "CHAOS_ENABLED": "true",
        ])
        guard case .postgres(let address) = configuration.database else { Issue.record("not postgres"); return }
        #expect(address.host == "db.internal" && address.port == 6543 && address.username == "app")
        #expect(address.password == "p@ss" && address.database == "cricalgo")
        #expect(configuration.ingress.host == "127.0.0.1" && configuration.ingress.port == 9000)
        #expect(configuration.poolSize == 5 && configuration.poolMaxOverflow == 0)
        #expect(configuration.poolTimeout == .milliseconds(2500))
        #expect(configuration.workerConcurrency == 3)
        #expect(configuration.confirmationThreshold == 20)
        #expect(configuration.ingress.webhookSecret == "s" && configuration.ingress.adminToken == "t")
        #expect(configuration.ingress.signatureTolerance == .seconds(60))
        #expect(configuration.ingress.maximumBodyBytes == 1024)
        #expect(configuration.ingress.ingestTimeout == .milliseconds(250))
        #expect(configuration.worker.lease == .seconds(9) && configuration.worker.maximumAttempts == 2)
        #expect(configuration.supervisorMaxRestarts == 4 && configuration.supervisorRestartWindow == .seconds(30))
        #expect(configuration.ingress.chaosEnabled)
    }

    @Test func workerConcurrencyWinsOverItsCeleryAlias() throws {
        #expect(try self.configuration(["WORKER_CONCURRENCY": "2", "CELERY_WORKER_CONCURRENCY": "9"]).workerConcurrency == 2)
    }

    @Test(arguments: [
        ("PORT", "abc"), ("PORT", "70000"), ("DB_POOL_SIZE", "0"), ("DB_MAX_OVERFLOW", "-1"), ("DB_POOL_TIMEOUT", "soon"),
        ("WORKER_CONCURRENCY", "many"), ("CELERY_WORKER_CONCURRENCY", "0"), ("CONFIRMATION_THRESHOLD", "-3"),
        ("MAX_BODY_BYTES", "1"), ("INGEST_TIMEOUT_MS", "0"), ("JOB_LEASE_SECONDS", "x"), ("JOB_MAX_ATTEMPTS", "0"),
        ("SUPERVISOR_MAX_RESTARTS", "-1"), ("SUPERVISOR_RESTART_WINDOW", "0"), ("CHAOS_ENABLED", "maybe"),
        ("WEBHOOK_TOLERANCE_SECONDS", "-5"), ("DATABASE_URL", "mysql://root@localhost/db"),
        ("ALLOW_UNSIGNED_WEBHOOKS", "sure"), ("HOST", "not a host"), ("HOST", "127.0.0.1\n0.0.0.0"),
        ("PORT", "99999999999999999999999"), ("JOB_LEASE_SECONDS", "99999999999999999999"),
        ("SUPERVISOR_RESTART_WINDOW", "9223372036854775807"), ("INGEST_TIMEOUT_MS", "9223372036854775807.5"),
        ("WEBHOOK_SECRET", "   "), ("ADMIN_TOKEN", ""), ("WEBHOOK_SECRET", "CHANGE_ME"), ("ADMIN_TOKEN", "change_me_admin"),
        ("WEBHOOK_SECRET", "changeme"), ("DB_POOL_SIZE", "2\u{0}"),
    ])
    func aBadValueNamesItsVariable(name: String, value: String) {
        do {
            _ = try self.configuration([name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect("\(error)".contains(name), "\(error)")
        }
    }

    @Test func aDatabaseURLIsNeverEchoed() {
        do {
            _ = try self.configuration(["DATABASE_URL": "ftp://user:hunter2@host/db"])
            Issue.record("accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
