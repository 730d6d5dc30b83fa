import Actors
import ArgumentParser
import Foundation
import Logging
import Runtime
import ServiceLifecycle

/// `cricalgo`: the deposit-webhook service.
@main
struct Cricalgo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cricalgo",
        abstract: "Deposit webhooks recorded durably and credited exactly once.",
        discussion: "Configuration comes from the environment (see README); flags override it.",
        subcommands: [Serve.self, API.self, Worker.self, Migrate.self, Verify.self],
        defaultSubcommand: Serve.self
    )
}

/// Flags shared by every command; each overrides the environment variable it names.
struct CommonOptions: ParsableArguments {
    @Option(help: "Address to bind (HOST).") var host: String?
    @Option(help: "Port to bind (PORT).") var port: String?
    @Option(name: .customLong("database-url"), help: "postgres:// URL; unset for the embedded SQLite file (DATABASE_URL).")
    var databaseURL: String?
    @Option(help: "Number of deposit workers (WORKER_CONCURRENCY).") var workers: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: "json or text (LOG_FORMAT).") var logFormat: String?

    /// The environment with the flags folded in under their variable names.
    func environment() -> [String: String] {
        var values = ProcessInfo.processInfo.environment
        let overrides: [(String, String?)] = [
            ("HOST", self.host), ("PORT", self.port), ("DATABASE_URL", self.databaseURL),
            ("WORKER_CONCURRENCY", self.workers), ("LOG_LEVEL", self.logLevel), ("LOG_FORMAT", self.logFormat),
        ]
        for (name, value) in overrides {
            if let value { values[name] = value }
        }
        if self.workers != nil { values["CELERY_WORKER_CONCURRENCY"] = nil }
        return values
    }
}

/// Reads configuration and sets up logging, or exits 78 naming the bad variable.
struct Startup {
    let configuration: ServiceConfiguration
    let logger: Logger

    /// - Parameters:
    ///   - mode: what runs; the maintenance commands pass `.worker`, as they take no webhooks.
    ///   - listens: the command binds `HOST`, which is then resolved once here.
    ///   - reportOnStandardOutput: the command prints a report on standard output,
    ///     so its logs go to standard error.
    init(options: CommonOptions, mode: ServiceConfiguration.Mode, listens: Bool = true, reportOnStandardOutput: Bool = false) throws {
        let reader = EnvironmentReader(options.environment(), secretNames: ServiceConfiguration.secretVariables)
        do {
            let format = try reader.choice("LOG_FORMAT", default: LogFormat.json)
            let levelText = try reader.string("LOG_LEVEL")?.lowercased() ?? "info"
            guard let level = Logger.Level(rawValue: levelText) else {
                throw RuntimeError(.invalidConfiguration, "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got \"\(levelText)\"")
            }
            self.configuration = try ServiceConfiguration(environment: reader, mode: mode)
            if listens { try self.configuration.checkHostResolves() }
            let output: LogOutput = reportOnStandardOutput ? .standardError : .standardOutput
            LoggingSystem.bootstrap { label in LoggingSetup.makeHandler(label: label, format: format, level: level, output: output) }
            self.logger = Logger(label: "cricalgo")
        } catch {
            throw Self.refusal("\(error)")
        }
    }

    /// Reports a configuration error on standard error; the returned exit code is 78
    /// (EX_CONFIG), so an orchestrator does not restart into the same error.
    static func refusal(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("cricalgo: \(message)\n".utf8))
        return ExitCode(78)
    }
}

/// Runs the service until SIGTERM/SIGINT (exit 0 after an orderly shutdown) or until the
/// root supervisor gives up (exit 1, so an orchestrator restarts the process).
func runService(_ startup: Startup) async throws {
    let configuration = startup.configuration
    let service = try DepositService(configuration: configuration, logger: startup.logger)
    startup.logger.info("service_starting", metadata: [
        "mode": "\(configuration.mode.rawValue)", "store": "\(configuration.database)",
        "workers": "\(configuration.mode == .api ? 0 : configuration.workerConcurrency)",
    ])
    if configuration.acceptsUnsignedWebhooks {
        if configuration.allowUnsignedWebhooks {
            startup.logger.warning("unsigned_webhooks_allowed", metadata: [
                "host": "\(configuration.ingress.host)", "hint": "ALLOW_UNSIGNED_WEBHOOKS=true: anyone who reaches the port can post deposits",
            ])
        } else {
            startup.logger.warning("unsigned_webhooks_loopback_only", metadata: [
                "host": "\(configuration.ingress.host)", "hint": "WEBHOOK_SECRET is unset: listening on loopback only",
            ])
        }
    }
    do {
        let applied = try await migrateAtStart(service.migrate, startup)
        if !applied.isEmpty { startup.logger.info("migrations_applied", metadata: ["versions": "\(applied)"]) }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service.root, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: startup.logger
        ))
        try await group.run()
        startup.logger.info("service_stopped")
    } catch let exit as ExitCode {
        throw exit
    } catch {
        startup.logger.critical("service_failed", metadata: ["error": "\(error)"])
        throw ExitCode.failure
    }
}

/// Applies pending migrations; a login the database refuses is a configuration error
/// (exit 78 saying so), not a failure to retry.
func migrateAtStart(_ migrate: () async throws -> [Int], _ startup: Startup) async throws -> [Int] {
    try await refusingUnusableLogin(startup, migrate)
}

/// Runs `body`, the first thing a command does with the store; a PostgreSQL refusal of the
/// login (or of the database) becomes a start-up refusal naming it (exit 78): retrying
/// cannot help.
func refusingUnusableLogin<Result>(_ startup: Startup, _ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch {
        guard case .postgres(let address) = startup.configuration.database,
            let refusal = PostgresLoginRefusal(error, address: address)
        else { throw error }
        startup.logger.critical("database_login_refused", metadata: ["sqlstate": "\(refusal.sqlState)", "user": "\(address.username)"])
        throw Startup.refusal(refusal.description)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run ingress and workers (the default).")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await runService(try Startup(options: self.options, mode: .serve))
    }
}

struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api", abstract: "Run the HTTP ingress only.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await runService(try Startup(options: self.options, mode: .api))
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run deposit workers only (probes and /metrics stay served).")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await runService(try Startup(options: self.options, mode: .worker))
    }
}
