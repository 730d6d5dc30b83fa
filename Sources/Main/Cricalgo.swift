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

/// Reads configuration and sets up logging, or exits non-zero naming the bad variable.
struct Startup {
    let configuration: ServiceConfiguration
    let logger: Logger

    /// - Parameter reportOnStandardOutput: the command prints a report on standard output,
    ///   so its logs go to standard error.
    init(options: CommonOptions, mode: ServiceConfiguration.Mode, reportOnStandardOutput: Bool = false) throws {
        let reader = EnvironmentReader(options.environment())
        do {
            let format = try reader.choice("LOG_FORMAT", default: LogFormat.json)
            let levelText = reader.string("LOG_LEVEL")?.lowercased() ?? "info"
            guard let level = Logger.Level(rawValue: levelText) else {
                throw RuntimeError(.invalidConfiguration, "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got \"\(levelText)\"")
            }
            self.configuration = try ServiceConfiguration(environment: reader, mode: mode)
            let output: LogOutput = reportOnStandardOutput ? .standardError : .standardOutput
            LoggingSystem.bootstrap { label in LoggingSetup.makeHandler(label: label, format: format, level: level, output: output) }
            self.logger = Logger(label: "cricalgo")
        } catch {
            FileHandle.standardError.write(Data("cricalgo: \(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}

/// Runs the service until SIGTERM/SIGINT (exit 0 after an orderly shutdown) or until the
/// root supervisor gives up (exit 1, so an orchestrator restarts the process).
func runService(_ startup: Startup) async throws {
    let service = try DepositService(configuration: startup.configuration, logger: startup.logger)
    startup.logger.info("service_starting", metadata: [
        "mode": "\(startup.configuration.mode.rawValue)", "store": "\(startup.configuration.database)",
        "workers": "\(startup.configuration.mode == .api ? 0 : startup.configuration.workerConcurrency)",
    ])
    do {
        let applied = try await service.migrate()
        if !applied.isEmpty { startup.logger.info("migrations_applied", metadata: ["versions": "\(applied)"]) }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service.root, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: startup.logger
        ))
        try await group.run()
        startup.logger.info("service_stopped")
    } catch {
        startup.logger.critical("service_failed", metadata: ["error": "\(error)"])
        throw ExitCode.failure
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
