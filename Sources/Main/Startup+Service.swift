import Actors
import ArgumentParser
import Logging
import ServiceLifecycle

extension Startup {
    /// Runs the service until SIGTERM/SIGINT (exit 0 after an orderly shutdown) or until the
    /// root supervisor gives up (exit 1, so an orchestrator restarts the process).
    func runService() async throws {
        let configuration = self.configuration
        let service = try DepositService(configuration: configuration, logger: self.logger)
        self.logger.info("service_starting", metadata: [
            "mode": "\(configuration.mode.rawValue)", "store": "\(configuration.database)",
            "workers": "\(configuration.mode == .api ? 0 : configuration.workerConcurrency)",
        ])
        if configuration.acceptsUnsignedWebhooks {
            if configuration.allowUnsignedWebhooks {
                self.logger.warning("unsigned_webhooks_allowed", metadata: [
                    "host": "\(configuration.ingress.host)", "hint": "ALLOW_UNSIGNED_WEBHOOKS=true: anyone who reaches the port can post deposits",
                ])
            } else {
                self.logger.warning("unsigned_webhooks_loopback_only", metadata: [
                    "host": "\(configuration.ingress.host)", "hint": "WEBHOOK_SECRET is unset: listening on loopback only",
                ])
            }
        }
        do {
            let applied = try await self.migrateAtStart(service.migrate)
            if !applied.isEmpty { self.logger.info("migrations_applied", metadata: ["versions": "\(applied)"]) }
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: service.root, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            ))
            try await group.run()
            self.logger.info("service_stopped")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            self.logger.critical("service_failed", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }

    /// Applies pending migrations; a login the database refuses is a configuration error
    /// (exit 78 saying so), not a failure to retry.
    func migrateAtStart(_ migrate: () async throws -> [Int]) async throws -> [Int] {
        try await self.refusingUnusableLogin(migrate)
    }

    /// Runs `body`, the first thing a command does with the store; a PostgreSQL refusal of the
    /// login (or of the database) becomes a start-up refusal naming it (exit 78): retrying
    /// cannot help.
    func refusingUnusableLogin<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch {
            guard case .postgres(let address) = self.configuration.database,
                let refusal = PostgresLoginRefusal(error, address: address)
            else { throw error }
            self.logger.critical("database_login_refused", metadata: ["sqlstate": "\(refusal.sqlState)", "user": "\(address.username)"])
            throw Startup.refusal(refusal.description)
        }
    }
}
